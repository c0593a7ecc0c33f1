package dev.baton.participant;

import static dev.baton.participant.TestMessages.command;
import static dev.baton.participant.TestMessages.compensation;
import static dev.baton.participant.TestMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.TestMessages.AuthorizePayment;
import dev.baton.participant.TestMessages.RefundPayment;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Commits are what a participant pays for on a database that writes each commit through (H2 with
 * {@code WRITE_DELAY=0}, PostgreSQL): a command costs one, whatever the step's history.
 */
class CommitCountTest {

    private final AtomicInteger commits = new AtomicInteger();
    private JdbiIdempotencyStore store;
    private ParticipantRuntime runtime;

    @BeforeEach
    void open() {
        SwitchableDataSource h2 = new SwitchableDataSource("jdbc:h2:mem:commits-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        store = JdbiIdempotencyStore.create(new CountingDataSource(h2, commits));
        store.jdbi().useHandle(h -> h.execute("CREATE TABLE ledger (order_id VARCHAR(50), delta INT)"));
        runtime = ParticipantRuntime.builder().store(store).handlers(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    ctx.handle().execute("INSERT INTO ledger VALUES (?, 1)", cmd.orderId());
                    return Outcome.success();
                })
                .on(RefundPayment.class, (cmd, ctx) -> {
                    ctx.handle().execute("INSERT INTO ledger VALUES (?, -1)", cmd.orderId());
                    return Outcome.success();
                })
                .build()).build();
        commits.set(0);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    @DisplayName("a command for a new step: its step row, the handler's write and the record commit once, together")
    void newStepOneCommit() {
        assertThat(reply(runtime.handle(command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 100))))
                .disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(commits).hasValue(1);
    }

    @Test
    @DisplayName("a compensation of a step that ran here, a compensation of one that never did, and a replay: one commit each")
    void everyPathOneCommit() {
        runtime.handle(command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 100)));
        commits.set(0);

        assertThat(reply(runtime.handle(compensation("s-1", "authorize-payment", 1, new RefundPayment("o-1"))))
                .disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(commits).as("compensation of a step that ran").hasValue(1);

        assertThat(reply(runtime.handle(compensation("s-2", "authorize-payment", 1, new RefundPayment("o-2"))))
                .disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        assertThat(commits).as("plus a compensation of a step that never ran").hasValue(2);

        assertThat(reply(runtime.handle(command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 100))))
                .disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(commits).as("plus a replay, which writes nothing").hasValue(3);
    }
}
