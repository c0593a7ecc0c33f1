package dev.baton.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket: the request goes out byte for byte as written (no client normalises the URI, the
 * headers or the body framing), and the response is read as the server framed it (Content-Length, chunked, or up to
 * the close).
 */
final class RawHttp {
    private RawHttp() {}

    /**
     * A response: status, headers (names lower-cased, last value wins), body as UTF-8, and whether the whole request
     * went out before the server closed the connection (false: the client saw a reset or broken pipe while sending).
     */
    record Response(int status, Map<String, String> headers, String body, boolean sentAll) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String contentType() {
            String t = header("content-type");
            return t == null ? "" : t;
        }
    }

    /** Sends {@code head} (request line and headers, without the blank line) and {@code body}; reads the response. */
    static Response send(String base, String head, byte[] body) throws IOException {
        URI uri = URI.create(base);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
            return exchange(socket, head, body);
        }
    }

    /** Sends {@code head} and {@code body} on a connected socket and reads the response. */
    static Response exchange(Socket socket, String head, byte[] body) throws IOException {
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        boolean sentAll = true;
        try {
            out.write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        } catch (SocketException e) {
            sentAll = false; // the server closed before reading everything; its answer may still be readable
        }
        return read(socket.getInputStream(), sentAll);
    }

    /** A request with a {@code Host} and {@code Connection: close}, and {@code extraHeaders} lines. */
    static Response send(String base, String method, String target, String extraHeaders, byte[] body) throws IOException {
        URI uri = URI.create(base);
        String head = method + " " + target + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nConnection: close" + (extraHeaders.isEmpty() ? "" : "\r\n" + extraHeaders);
        return send(base, head, body);
    }

    static Response get(String base, String target, String extraHeaders) throws IOException {
        return send(base, "GET", target, extraHeaders, new byte[0]);
    }

    /** Reads one response from {@code in}. */
    static Response read(InputStream in, boolean sentAll) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("the server closed the connection without a response");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String length = headers.get("content-length");
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line(in).split(";")[0].strip(), 16); size > 0;
                    size = Integer.parseInt(line(in).split(";")[0].strip(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
        } else if (length != null) {
            body.write(in.readNBytes(Integer.parseInt(length)));
        } else if (status >= 200 && status != 204 && status != 304) {
            in.transferTo(body);
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8), sentAll);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != -1; c = in.read()) {
            if (c == '\n') {
                return sb.toString().stripTrailing();
            }
            sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
