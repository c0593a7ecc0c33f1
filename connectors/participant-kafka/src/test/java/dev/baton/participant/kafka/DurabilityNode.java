package dev.baton.participant.kafka;

import dev.baton.participant.CommandHandlers;
import dev.baton.participant.HandlingResult;
import dev.baton.participant.IncomingCommand;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.Reply;
import dev.baton.protocol.Headers;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The child process of {@link H2KillDurabilityTest}: a participant runtime on an H2 file ({@code WRITE_DELAY=0})
 * handling commands as fast as it can, one poll of {@code batch} at a time, without Kafka. A handler writes one effect
 * row per command; after {@link ParticipantRuntime#handleAll} returns (when the SDK would send the replies) it prints
 * {@code ACK <saga>} for each SUCCESS. Args: {@code <database file> <generation> <batch>}.
 */
public final class DurabilityNode {
    public record Ship(String orderId) {}
    public record Shipped(String shipmentId) {}

    private DurabilityNode() {}

    static String url(String database) {
        return "jdbc:h2:file:" + database + ";WRITE_DELAY=0";
    }

    public static void main(String[] args) throws Exception {
        String generation = args[1];
        int batch = Integer.parseInt(args[2]);
        JdbiIdempotencyStore store = JdbiIdempotencyStore.create(url(args[0]), "sa", "");
        store.jdbi().useHandle(h -> h.execute(OrderServices.EFFECT_TABLE));
        CommandHandlers handlers = CommandHandlers.forParticipant("logistics")
                .on(Ship.class, (c, ctx) -> {
                    ctx.handle().createUpdate("INSERT INTO effect (saga_id, order_id, step, kind, message_id)"
                            + " VALUES (:s, :o, :st, :k, :m)").bind("s", ctx.sagaId()).bind("o", c.orderId())
                            .bind("st", ctx.step()).bind("k", ctx.kind().name()).bind("m", ctx.messageId()).execute();
                    return Outcome.success(new Shipped("s-" + c.orderId()));
                })
                .build();
        ParticipantRuntime runtime = ParticipantRuntime.builder().handlers(handlers).store(store).build();
        System.out.println("READY " + System.currentTimeMillis());
        for (int i = 0; ; i++) {
            List<IncomingCommand> poll = new java.util.ArrayList<>(batch);
            for (int k = 0; k < batch; k++) {
                poll.add(command(generation + "-" + i + "-" + k));
            }
            for (HandlingResult r : runtime.handleAll(poll)) {
                if (r instanceof Reply reply && reply.outcome() == dev.baton.protocol.ReplyOutcome.SUCCESS) {
                    System.out.println("ACK " + reply.sagaId());
                }
            }
            System.out.flush();
        }
    }

    private static IncomingCommand command(String saga) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(Headers.MESSAGE_ID, saga + "/ship/do/1");
        h.put(Headers.SAGA_ID, saga);
        h.put(Headers.SAGA_TYPE, "durability");
        h.put(Headers.STEP, "ship");
        h.put(Headers.ATTEMPT, "1");
        h.put(Headers.MESSAGE_TYPE, "Ship");
        h.put(Headers.KIND, "command");
        return IncomingCommand.of(h, ("{\"orderId\":\"" + saga + "\"}").getBytes(StandardCharsets.UTF_8));
    }
}
