package dev.baton.engine.spi;

import java.util.List;

/**
 * One page of a {@link SagaQuery}.
 *
 * @param items the sagas, in the query's {@linkplain SagaQuery#order() order}
 * @param nextCursor pass to {@link SagaQuery#withAfter(String)} for the next page (with the same filters and
 *                   order); null on the last page. Opaque.
 * @since 0.1
 */
public record SagaPage(List<SagaRecord> items, String nextCursor) {
    public SagaPage {
        items = List.copyOf(items);
    }
}
