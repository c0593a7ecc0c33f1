package dev.baton.participant.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.ParticipantRuntime;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.sql.init.SqlInitializationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Makes the application a saga participant when it declares a {@link CommandHandlers} bean: the idempotency store on
 * the application's {@link DataSource}, inside its {@link PlatformTransactionManager}'s transactions
 * ({@link SpringTransactions}); a {@link ParticipantRuntime} per handlers bean with the application's
 * {@link ObjectMapper}; their Kafka bindings ({@link BatonParticipants}); a health indicator and meters when the
 * application has Actuator and Micrometer. Settings under {@code baton.participant} ({@link BatonParticipantProperties});
 * {@code baton.participant.enabled=false} turns it off. Every bean backs off when the application defines its own.
 *
 * @since 0.6
 */
@AutoConfiguration(after = {DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
        JacksonAutoConfiguration.class, FlywayAutoConfiguration.class, SqlInitializationAutoConfiguration.class},
        afterName = "org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration")
@ConditionalOnClass(CommandHandlers.class)
@ConditionalOnBean({CommandHandlers.class, DataSource.class})
@ConditionalOnProperty(prefix = "baton.participant", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(BatonParticipantProperties.class)
public class BatonParticipantAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public SpringTransactions batonParticipantTransactions(ObjectProvider<PlatformTransactionManager> transactionManager,
                                                           DataSource dataSource) {
        PlatformTransactionManager tm = transactionManager.getIfUnique(() -> {
            throw new IllegalStateException("the Baton participant starter needs one PlatformTransactionManager for the"
                    + " application's DataSource (spring-boot-starter-jdbc or -data-jpa provides it); found none or"
                    + " several: define a SpringTransactions bean naming the one to use");
        });
        return new SpringTransactions(tm, dataSource);
    }

    /** After the application's own schema migration or {@code schema.sql}, which may create the SDK's tables. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @DependsOnDatabaseInitialization
    public JdbiIdempotencyStore batonParticipantStore(DataSource dataSource, SpringTransactions transactions,
                                                      BatonParticipantProperties properties) {
        JdbiIdempotencyStore.Builder builder = JdbiIdempotencyStore.builder(dataSource)
                .transactions(transactions)
                .connectionFactory(transactions);
        if (properties.getMigrate() != null) {
            builder.migrate(properties.getMigrate());
        }
        JdbiIdempotencyStore store = builder.build();
        Duration retention = properties.getRetention();
        store.retainFor(retention == null || retention.isZero() ? null : retention);
        return store;
    }

    @Bean
    @ConditionalOnMissingBean
    public BatonParticipants batonParticipants(List<CommandHandlers> handlers, JdbiIdempotencyStore store,
                                               ObjectProvider<ObjectMapper> objectMapper,
                                               ObjectProvider<OpenTelemetry> openTelemetry,
                                               BatonParticipantProperties properties) {
        ObjectMapper mapper = objectMapper.getIfUnique(ParticipantRuntime::defaultObjectMapper);
        // the application's OpenTelemetry (an OpenTelemetry starter's bean, say): the handled commands' spans go there
        OpenTelemetry otel = openTelemetry.getIfUnique(OpenTelemetry::noop);
        return new BatonParticipants(kafkaOptions(properties), handlers, h -> ParticipantRuntime.builder()
                .handlers(h)
                .store(store)
                .objectMapper(mapper)
                .batchSize(properties.getBatchSize())
                .contentionAttempts(properties.getContentionAttempts())
                .exceptionMessagesInReasons(properties.isExceptionMessagesInReasons())
                .openTelemetry(otel)
                .build());
    }

    static KafkaOptions kafkaOptions(BatonParticipantProperties p) {
        KafkaOptions options = KafkaOptions.defaults(p.getBootstrapServers())
                .withTopicPrefix(p.getTopicPrefix())
                .withPartitions(p.getPartitions())
                .withMaxPollRecords(p.getMaxPollRecords());
        for (Map.Entry<String, String> e : p.getKafka().entrySet()) {
            options = options.withClientProperty(e.getKey(), e.getValue());
        }
        return options;
    }

    /** Health, when the application has Actuator. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class Health {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(name = "batonParticipantAdmin")
        Admin batonParticipantAdmin(BatonParticipants participants) {
            Map<String, Object> config = new java.util.HashMap<>(participants.options().clientProperties());
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, participants.options().bootstrapServers());
            config.put(AdminClientConfig.CLIENT_ID_CONFIG, "baton-participant-health");
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
            config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
            return Admin.create(config);
        }

        @Bean
        @ConditionalOnMissingBean(name = "batonParticipantHealthIndicator")
        BatonParticipantHealthIndicator batonParticipantHealthIndicator(BatonParticipants participants, Admin batonParticipantAdmin) {
            return new BatonParticipantHealthIndicator(participants, batonParticipantAdmin, Clock.systemUTC());
        }
    }

    /** Meters, when the application has Micrometer. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class Meters {
        @Bean
        @ConditionalOnMissingBean
        BatonParticipantMeters batonParticipantMeters(BatonParticipants participants) {
            return new BatonParticipantMeters(participants, Clock.systemUTC());
        }
    }
}
