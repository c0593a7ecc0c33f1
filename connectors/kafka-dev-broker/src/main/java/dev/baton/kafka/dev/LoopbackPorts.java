package dev.baton.kafka.dev;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports on the loopback address for {@link EmbeddedKafkaBroker}: free ones, and whether a failure was a bind. */
final class LoopbackPorts {

    private static final String HOST = EmbeddedKafkaBroker.HOST;

    private LoopbackPorts() {}

    /** Throws a {@link KafkaBrokerException} unless {@code port} is free on the loopback address. */
    static void requireFree(int port) {
        try {
            new ServerSocket(port, 1, InetAddress.getByName(HOST)).close();
        } catch (IOException e) {
            throw new KafkaBrokerException("Kafka broker cannot listen on " + HOST + ":" + port + ": the port is in use (" + e.getMessage() + ")", e);
        }
    }

    /** Whether {@code e} or one of its causes has {@code text} in its message. */
    static boolean mentions(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code e} or one of its causes is a {@link BindException}. */
    static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    /** A port that is free now (another process may take it before it is bound), other than {@code not}. */
    static int freePort(int not) {
        for (int i = 0; i < 10; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                int p = s.getLocalPort();
                if (p != not) {
                    return p;
                }
            } catch (IOException e) {
                throw new KafkaBrokerException("cannot find a free port on " + HOST + ": " + e, e);
            }
        }
        throw new KafkaBrokerException("cannot find a second free port on " + HOST);
    }
}
