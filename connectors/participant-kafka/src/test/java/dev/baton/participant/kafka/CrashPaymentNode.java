package dev.baton.participant.kafka;

import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.ParticipantRuntime;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The payment service as a process of its own, for {@link KafkaParticipantCrashTest}: {@link OrderServices#payment}'s
 * handlers with the SDK's idempotency records and the {@code effect} table in an H2 file written at each commit
 * ({@code WRITE_DELAY=0}), so both survive SIGKILL, bound to Kafka with {@link KafkaParticipant}.
 *
 * <p>Arguments: bootstrap servers, topic prefix, database file (without {@code .mv.db}). Prints
 * {@code READY <ms> jvm=<ms>} once it consumes; end of stdin closes it cleanly ({@code STOPPED}, exit 0).
 */
public final class CrashPaymentNode {
    private CrashPaymentNode() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String prefix = args[1];
        String database = args[2];
        JdbiIdempotencyStore store = JdbiIdempotencyStore.create(url(database), "sa", "");
        store.jdbi().useHandle(h -> h.execute(OrderServices.EFFECT_TABLE));
        ParticipantRuntime runtime = ParticipantRuntime.builder()
                .handlers(OrderServices.payment(new ConcurrentHashMap<>()))
                .store(store)
                .build();
        KafkaParticipant participant = KafkaParticipant.create(CrashSaga.options(bootstrap, prefix), runtime).start();
        System.out.println("READY " + System.currentTimeMillis() + " jvm=" + ManagementFactory.getRuntimeMXBean().getStartTime());
        while (System.in.read() != -1) {
            // the test closes stdin to stop us
        }
        participant.close();
        store.close();
        System.out.println("STOPPED");
        System.exit(0);
    }

    /** The payment service's database: every commit reaches the file before it returns. */
    static String url(String database) {
        return "jdbc:h2:file:" + database + ";WRITE_DELAY=0";
    }
}
