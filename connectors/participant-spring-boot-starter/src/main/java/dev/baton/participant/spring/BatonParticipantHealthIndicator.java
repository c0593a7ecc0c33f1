package dev.baton.participant.spring;

import dev.baton.kafka.common.CommandTopicLag;
import dev.baton.kafka.common.LoopHealth;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * {@code /actuator/health} for the participants: DOWN while a command loop is not running or keeps failing (the broker
 * or the database unreachable), UP otherwise; the details show per participant the loop's last successful poll,
 * its consecutive failures and restarts, and the consumer group's lag (commands not yet answered), read from the
 * broker. Lag is only shown: a participant that is behind is busy, not down.
 *
 * @since 0.6
 */
public final class BatonParticipantHealthIndicator extends AbstractHealthIndicator {

    /** A loop that has not polled successfully for this long is DOWN. */
    static final Duration SILENCE_LIMIT = Duration.ofSeconds(60);
    private static final Duration LAG_TIMEOUT = Duration.ofSeconds(2);

    private final BatonParticipants participants;
    private final Admin admin;
    private final Clock clock;

    /**
     * @param admin reads the consumer groups' offsets; null shows no lag
     */
    public BatonParticipantHealthIndicator(BatonParticipants participants, Admin admin, Clock clock) {
        super("Baton participant health check failed");
        this.participants = participants;
        this.admin = admin;
        this.clock = clock;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Map<String, LoopHealth> loops = participants.loops();
        boolean up = participants.isRunning() && loops.size() == participants.participants().size();
        Map<String, Object> details = new LinkedHashMap<>();
        for (String name : participants.participants()) {
            LoopHealth loop = loops.get(name);
            Map<String, Object> d = new LinkedHashMap<>();
            if (loop == null) {
                d.put("state", "STOPPED");
                up = false;
            } else {
                Duration silence = loop.silence(clock.instant());
                boolean failing = loop.failing() || silence.compareTo(SILENCE_LIMIT) > 0;
                up &= !failing;
                d.put("state", failing ? "FAILING" : "RUNNING");
                d.put("lastSuccessfulPoll", loop.lastSuccessfulPoll().toString());
                d.put("consecutiveFailures", loop.consecutiveFailures());
                d.put("restarts", loop.restarts());
                if (loop.lastError() != null) {
                    d.put("lastError", loop.lastError());
                }
            }
            if (admin != null && loop != null) {
                d.put("lag", lag(name));
            }
            details.put(name, d);
        }
        (up ? builder.up() : builder.down()).withDetail("participants", details)
                .withDetail("bootstrapServers", participants.options().bootstrapServers());
    }

    /** Commands on the participant's topic not yet committed by its group, or a text saying why it is unknown. */
    private Object lag(String participant) {
        try {
            return CommandTopicLag.of(admin, participants.options(), participant, LAG_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown: interrupted";
        } catch (Exception e) {
            return "unknown: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }
}
