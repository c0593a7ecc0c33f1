package dev.baton.participant.testkit;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * What the kit puts around the subclass's {@link DataSource}, with plain JDBC proxies and nothing database-specific:
 * it counts {@link Connection#commit()} calls, knows which threads are inside a statement right now (a thread that
 * stays inside one while another transaction holds a lock is waiting for that lock), and can cut the database off
 * ({@link #down(boolean)}), after which {@code getConnection} fails as an unreachable database does. Every other call
 * goes to the real objects unchanged. Thread-safe.
 */
final class KitDataSource implements DataSource {

    /** SQLSTATE class 08: connection exception. */
    private static final String CONNECTION_FAILURE = "08001";

    private final DataSource target;
    private final AtomicInteger commits = new AtomicInteger();
    private final Set<Thread> inStatement = ConcurrentHashMap.newKeySet();
    private volatile boolean down;

    KitDataSource(DataSource target) {
        this.target = target;
    }

    /** Commits on connections handed out so far (or since {@link #resetCommits()}). */
    int commits() {
        return commits.get();
    }

    void resetCommits() {
        commits.set(0);
    }

    /** How many threads other than the caller are executing a statement at this moment. */
    int othersInStatement() {
        Thread me = Thread.currentThread();
        int n = 0;
        for (Thread t : inStatement) {
            if (t != me) {
                n++;
            }
        }
        return n;
    }

    /** While true, {@code getConnection} fails with SQLSTATE 08001; connections handed out before keep working. */
    void down(boolean down) {
        this.down = down;
    }

    @Override
    public Connection getConnection() throws SQLException {
        checkUp();
        return connection(target.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        checkUp();
        return connection(target.getConnection(username, password));
    }

    private void checkUp() throws SQLException {
        if (down) {
            throw new SQLTransientConnectionException("the compatibility kit cut the database off", CONNECTION_FAILURE);
        }
    }

    private Connection connection(Connection real) {
        return proxy(Connection.class, real, (proxy, method, args) -> {
            String name = method.getName();
            if (name.equals("commit")) {
                commits.incrementAndGet();
            }
            Object result = invoke(real, method, args);
            return switch (name) {
                case "createStatement" -> proxy(Statement.class, (Statement) result, statement((Statement) result));
                case "prepareStatement" -> proxy(PreparedStatement.class, (PreparedStatement) result,
                        statement((Statement) result));
                case "prepareCall" -> proxy(CallableStatement.class, (CallableStatement) result,
                        statement((Statement) result));
                default -> result;
            };
        });
    }

    private InvocationHandler statement(Statement real) {
        return (proxy, method, args) -> {
            if (!method.getName().startsWith("execute")) {
                return invoke(real, method, args);
            }
            Thread me = Thread.currentThread();
            boolean added = inStatement.add(me);
            try {
                return invoke(real, method, args);
            } finally {
                if (added) {
                    inStatement.remove(me);
                }
            }
        };
    }

    /** A proxy of {@code type} over {@code real}; equality and hash codes are the proxy's own. */
    private static <T> T proxy(Class<T> type, T real, InvocationHandler handler) {
        Object p = Proxy.newProxyInstance(KitDataSource.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> switch (method.getName()) {
                    case "equals" -> args != null && args.length == 1 && proxy == args[0];
                    case "hashCode" -> method.getParameterCount() == 0 ? System.identityHashCode(proxy)
                            : handler.invoke(proxy, method, args);
                    case "toString" -> method.getParameterCount() == 0 ? "kit(" + real + ")"
                            : handler.invoke(proxy, method, args);
                    default -> handler.invoke(proxy, method, args);
                });
        return type.cast(p);
    }

    private static Object invoke(Object real, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(real, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || target.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "the kit's wrapper of " + target;
    }
}
