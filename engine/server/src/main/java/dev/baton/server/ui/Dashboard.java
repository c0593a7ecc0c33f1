package dev.baton.server.ui;

import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import java.util.Map;

/**
 * The operator's dashboard: static pages (HTML, CSS and ES modules, no build step) served from this jar under
 * {@value #PATH}, which read and steer sagas through the REST API with the operator's own token. {@code /} redirects
 * to {@code /ui/}. Nothing the server holds is written into the pages: the token is typed by the
 * operator and kept in the browser tab's session storage. The pages load nothing from elsewhere, so they work without
 * internet access; a Content-Security-Policy holds them to this origin.
 *
 * @since 0.8
 */
public final class Dashboard {
    /** Where the dashboard is served. */
    public static final String PATH = "/ui";
    /** Where its files are on the classpath. */
    static final String RESOURCES = "/dev/baton/server/ui";
    /** Only this origin's scripts, styles, images and API; no framing. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private Dashboard() {}

    /** Serves the dashboard's files and the redirects to it. */
    public static void install(JavalinConfig c) {
        c.staticFiles.add(sf -> {
            sf.hostedPath = PATH;
            sf.directory = RESOURCES;
            sf.location = Location.CLASSPATH;
            sf.headers = Map.of("Content-Security-Policy", CSP, "X-Content-Type-Options", "nosniff",
                    "Referrer-Policy", "no-referrer", "Cache-Control", "no-cache");
        });
        // only "/": the router ignores a trailing slash, so a route for /ui would also take /ui/ (and loop)
        c.routes.get("/", ctx -> ctx.redirect(PATH + "/", HttpStatus.FOUND));
    }
}
