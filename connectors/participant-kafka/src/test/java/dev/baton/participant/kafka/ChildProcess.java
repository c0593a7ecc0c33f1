package dev.baton.participant.kafka;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A {@code main} of the test sources run in a JVM of its own (this JVM's {@code java} and class path), for the crash
 * tests. It talks through lines on its stdout, collected here as they come; its stderr (the logs) goes to a file.
 * It reads its stdin until end of file and then shuts down cleanly, so {@link #stop} ends it gracefully, and a child
 * whose test JVM died does not linger. {@link #kill} is SIGKILL.
 */
final class ChildProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private volatile boolean outputEnded;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        Thread.ofPlatform().daemon().name(name + "-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            } finally {
                outputEnded = true;
            }
        });
    }

    /** Starts {@code main} with these arguments; the child's logs go to {@code log}. */
    static ChildProcess start(String name, Class<?> main, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        return new ChildProcess(name, p, log);
    }

    /** Waits for a line matching {@code match} and returns the first such line. */
    String awaitLine(Predicate<String> match, Duration atMost) {
        try {
            await(name + ": a matching line").atMost(atMost).pollInterval(Duration.ofMillis(20))
                    .failFast(name + " ended its output without such a line", () -> outputEnded && find(match).isEmpty())
                    .until(() -> find(match).isPresent());
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError(e.getMessage() + "\n" + tail(), e);
        }
        return find(match).orElseThrow();
    }

    /** The first line starting with {@code prefix}, which must have been printed. */
    String line(String prefix) {
        return find(l -> l.startsWith(prefix)).orElseThrow(() -> new AssertionError(name + " printed no line starting with '"
                + prefix + "': " + lines));
    }

    Optional<String> find(Predicate<String> match) {
        return lines.stream().filter(match).findFirst();
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** SIGKILL: no shutdown hooks, no flushing, no leaving the consumer group. Returns the time of the kill (epoch ms). */
    long kill() throws InterruptedException {
        long at = System.currentTimeMillis();
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " survived SIGKILL for 30 s");
        }
        return at;
    }

    /** Closes the child's stdin, which makes it shut down cleanly, and waits for it to exit; returns the exit code. */
    int stop(Duration atMost) throws InterruptedException {
        requestStop();
        return exitCode(atMost);
    }

    /** Closes the child's stdin, which makes it shut down cleanly, without waiting. */
    void requestStop() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
    }

    /** Writes {@code line} and a newline to the child's stdin, for a child that reads commands there. */
    void send(String line) {
        try {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(name + " no longer reads its stdin (" + e.getMessage() + "): " + tail(), e);
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    String name() {
        return name;
    }

    /** Waits for the child to exit on its own; returns the exit code. */
    int exitCode(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + atMost + " (" + tail() + ")");
        }
        return process.exitValue();
    }

    /** The last lines of the child's log, for failure messages. */
    String tail() {
        try {
            List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return "stdout: " + lastOf(lines, 5) + "; log " + log + ": " + String.join("\n", lastOf(all, 30));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lastOf(List<String> l, int n) {
        return l.subList(Math.max(0, l.size() - n), l.size());
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
