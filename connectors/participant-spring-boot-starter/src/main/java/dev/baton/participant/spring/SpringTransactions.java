package dev.baton.participant.spring;

import dev.baton.participant.TransactionBoundary;
import java.sql.Connection;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jdbi.v3.core.ConnectionFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SDK's transactions as Spring transactions: each one a new transaction of the application's
 * {@link PlatformTransactionManager} at READ COMMITTED, and the SDK's JDBI handles on the connection Spring bound to the
 * thread. So a handler's writes through {@code JdbcTemplate}, {@code @Transactional} services (with the default
 * propagation REQUIRED, or MANDATORY) or anything else that takes its connection from the same {@link DataSource}
 * commit with the SDK's record, or roll back with it. Thread-safe.
 *
 * @since 0.6
 */
public final class SpringTransactions implements TransactionBoundary, ConnectionFactory {

    private final TransactionTemplate template;
    private final DataSource dataSource;

    /**
     * @param transactionManager the application's, managing {@code dataSource}
     * @param dataSource where the SDK's tables and the application's live
     */
    public SpringTransactions(PlatformTransactionManager transactionManager, DataSource dataSource) {
        this.template = new TransactionTemplate(transactionManager);
        template.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        template.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
        template.setName("baton-participant");
        this.dataSource = dataSource;
    }

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        return template.execute(status -> work.get());
    }

    @Override
    public Connection openConnection() {
        return DataSourceUtils.getConnection(dataSource);
    }

    @Override
    public void closeConnection(Connection connection) {
        DataSourceUtils.releaseConnection(connection, dataSource);
    }
}
