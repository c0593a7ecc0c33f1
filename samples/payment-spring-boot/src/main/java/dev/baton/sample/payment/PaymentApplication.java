package dev.baton.sample.payment;

import dev.baton.participant.CommandHandlers;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The order flow's payment service as a Spring Boot application: it authorizes payments in its own PostgreSQL
 * database, and takes part in the {@code order-flow} saga through the Baton participant starter. The only Baton code
 * is the {@link CommandHandlers} bean below; the starter binds it to Kafka, records each answer in the same
 * transaction as the service's {@code @Transactional} work, and replays it for a duplicate.
 */
@SpringBootApplication
public class PaymentApplication {

    public static void main(String[] args) {
        SpringApplication.run(PaymentApplication.class, args);
    }

    /** The commands this service takes part in sagas with, by the saga's participant name. */
    @Bean
    CommandHandlers paymentHandlers(PaymentService payments) {
        return CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (command, context) -> payments.authorize(command, context.messageId()))
                .build();
    }
}
