package dev.baton.server.api;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * Bearer-token checks for {@code /api}: mutating calls need the API token when one is set; reads need the read token
 * or the API token when a read token is set. Tokens are compared in constant time on their SHA-256 digests, so
 * neither the content nor the length of a token leaks through timing. The caller's identity (the principal) is
 * {@value #API_TOKEN}, {@value #READ_TOKEN} or {@value #ANONYMOUS}; no token is ever logged or echoed.
 *
 * @since 0.1
 */
public final class Auth {
    public static final String API_TOKEN = "api-token";
    public static final String READ_TOKEN = "read-token";
    public static final String ANONYMOUS = "anonymous";
    /** The request attribute holding the principal. */
    static final String PRINCIPAL = "baton.principal";

    private static final String CHALLENGE = "Bearer realm=\"baton\"";

    private final byte[] apiToken;
    private final byte[] readToken;

    /** Empty tokens mean "not set". */
    public Auth(String apiToken, String readToken) {
        this.apiToken = apiToken.isEmpty() ? null : digest(apiToken);
        this.readToken = readToken.isEmpty() ? null : digest(readToken);
    }

    /** A {@code before} handler for {@code /api/*}: checks the token for the request's kind and records the principal. */
    public void check(Context ctx) {
        if (ctx.method() == HandlerType.OPTIONS || ctx.path().equals("/api/openapi.json")) {
            return;
        }
        boolean read = ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD;
        byte[] presented = bearer(ctx);
        boolean isApi = apiToken != null && presented != null && MessageDigest.isEqual(apiToken, presented);
        boolean isRead = readToken != null && presented != null && MessageDigest.isEqual(readToken, presented);
        String principal = isApi ? API_TOKEN : isRead ? READ_TOKEN : ANONYMOUS;
        boolean needed = read ? readToken != null : apiToken != null;
        boolean allowed = !needed || isApi || (read && isRead);
        if (!allowed) {
            if (presented == null) {
                throw new ApiProblem(ApiProblem.Type.UNAUTHORIZED, (read ? "reading" : "changing") + " needs an"
                        + " 'Authorization: Bearer <token>' header with the " + (read ? "read token or the API token" : "API token"),
                        Map.of("WWW-Authenticate", CHALLENGE));
            }
            throw new ApiProblem(ApiProblem.Type.UNAUTHORIZED, "the bearer token is not valid for "
                    + (read ? "reading" : "changing") + (isRead ? "; the read token only allows reading" : ""),
                    Map.of("WWW-Authenticate", CHALLENGE + ", error=\"invalid_token\""));
        }
        ctx.attribute(PRINCIPAL, principal);
    }

    /** The authenticated principal of a request that passed {@link #check}. */
    public static String principal(Context ctx) {
        String p = ctx.attribute(PRINCIPAL);
        return p == null ? ANONYMOUS : p;
    }

    private static byte[] bearer(Context ctx) {
        String h = ctx.header("Authorization");
        if (h == null) {
            return null;
        }
        h = h.strip();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new byte[0]; // present but not a bearer token: never equal to a digest
        }
        return digest(h.substring(7).strip());
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
