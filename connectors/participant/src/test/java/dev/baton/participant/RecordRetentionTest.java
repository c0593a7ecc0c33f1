package dev.baton.participant;

import static dev.baton.participant.TestMessages.command;
import static dev.baton.participant.TestMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.participant.TestMessages.AuthorizePayment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The idempotency store purges old answers on its own, after a retention of 30 days unless set otherwise. */
class RecordRetentionTest {

    private static CommandHandlers handlers() {
        return CommandHandlers.forParticipant("payment").on(AuthorizePayment.class, c -> Outcome.success()).build();
    }

    @Test
    @DisplayName("answers are kept 30 days by default; the store purges older ones itself, without a call from the application")
    void purgesOnItsOwn() {
        try (JdbiIdempotencyStore store = JdbiIdempotencyStore.h2InMemory("retention-" + UUID.randomUUID())) {
            assertThat(store.retention()).isEqualTo(Duration.ofDays(30)).isEqualTo(JdbiIdempotencyStore.DEFAULT_RETENTION);
            Instant now = Instant.now();
            ParticipantRuntime old = ParticipantRuntime.builder().handlers(handlers()).store(store)
                    .clock(Clock.fixed(now.minus(Duration.ofMinutes(1)), ZoneOffset.UTC)).build();
            ParticipantRuntime recent = ParticipantRuntime.builder().handlers(handlers()).store(store)
                    .clock(Clock.fixed(now.plus(Duration.ofHours(1)), ZoneOffset.UTC)).build();
            reply(old.handle(command("s-old", "authorize-payment", 1, new AuthorizePayment("o-1", 1))));
            reply(recent.handle(command("s-new", "authorize-payment", 1, new AuthorizePayment("o-2", 1))));

            // the purge runs every quarter of the retention, at most hourly: a 20 s retention runs it every 5 s
            store.retainFor(Duration.ofSeconds(20));
            await("the minute-old answer purged by the store's own thread").atMost(Duration.ofSeconds(30))
                    .until(() -> store.find("payment", "s-old/authorize-payment/do/1").isEmpty());
            assertThat(store.find("payment", "s-new/authorize-payment/do/1")).as("within the retention").isPresent();
        }
    }

    @Test
    @DisplayName("retainFor: a short retention purges within seconds; null keeps answers forever; zero is refused")
    void settings() {
        try (JdbiIdempotencyStore store = JdbiIdempotencyStore.h2InMemory("retention-" + UUID.randomUUID())) {
            ParticipantRuntime runtime = ParticipantRuntime.builder().handlers(handlers()).store(store).build();
            assertThat(store.retainFor(null).retention()).isNull();
            reply(runtime.handle(command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 1))));
            assertThat(store.find("payment", "s-1/authorize-payment/do/1")).isPresent();

            store.retainFor(Duration.ofSeconds(1));
            await("purged after a 1 s retention").atMost(Duration.ofSeconds(30))
                    .until(() -> store.find("payment", "s-1/authorize-payment/do/1").isEmpty());
            assertThatThrownBy(() -> store.retainFor(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("retention must be positive");
        }
        assertThat(RecordPurge.period(Duration.ofDays(30))).isEqualTo(Duration.ofHours(1));
        assertThat(RecordPurge.period(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(1));
        assertThat(RecordPurge.period(Duration.ofMinutes(8))).isEqualTo(Duration.ofMinutes(2));
    }
}
