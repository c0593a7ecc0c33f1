package dev.baton.bench;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The OpenTelemetry of one phase of {@link KafkaSagaBenchmark}. Off: {@link OpenTelemetry#noop()} for every service,
 * the engine's and the SDK's default. On: an {@link OpenTelemetrySdk} per service (the engine and each participant, as
 * separate processes would have), each as OpenTelemetry's autoconfiguration builds it by default (sampler
 * {@code parentbased_always_on}, W3C trace context, a {@link BatchSpanProcessor} with its defaults: 5 s delay, queue
 * 2,048, batches of 512), exporting into an exporter that serialises nothing and drops the spans after counting them,
 * so the cost measured is the engine's and the SDK's, without a network or a collector. Thread-safe.
 */
final class BenchTracing implements AutoCloseable {
    private final boolean on;
    private final List<OpenTelemetrySdk> sdks = new ArrayList<>();
    /** Spans ended (counted before the batch processor's queue) and spans the exporters received. */
    private final LongAdder ended = new LongAdder();
    private final LongAdder exported = new LongAdder();

    private BenchTracing(boolean on) {
        this.on = on;
    }

    static BenchTracing off() {
        return new BenchTracing(false);
    }

    static BenchTracing on() {
        return new BenchTracing(true);
    }

    boolean isOn() {
        return on;
    }

    /** The OpenTelemetry for the service named {@code service} ({@code baton-engine}, or a participant's name). */
    synchronized OpenTelemetry forService(String service) {
        if (!on) {
            return OpenTelemetry.noop();
        }
        SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), service))))
                .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
                .addSpanProcessor(SpanProcessor.composite(new EndCounter(ended),
                        BatchSpanProcessor.builder(new CountingExporter(exported)).build()))
                .build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(tracerProvider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        sdks.add(sdk);
        return sdk;
    }

    /** Spans ended so far, every service together. */
    long spansEnded() {
        return ended.sum();
    }

    /** Spans the exporters received so far; after {@link #close()} equal to {@link #spansEnded()} unless the queue dropped some. */
    long spansExported() {
        return exported.sum();
    }

    /** Flushes and shuts down every SDK (close the engine and the services first). */
    @Override
    public synchronized void close() {
        for (OpenTelemetrySdk sdk : sdks) {
            sdk.shutdown().join(10, TimeUnit.SECONDS);
        }
        sdks.clear();
    }

    /** Counts the spans that end; one {@link LongAdder#increment()} per span, nothing else. */
    private record EndCounter(LongAdder ended) implements SpanProcessor {
        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {}

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            ended.increment();
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }
    }

    /** Receives the batches, counts their spans and drops them: serialises nothing, sends nothing. */
    private record CountingExporter(LongAdder exported) implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            exported.add(spans.size());
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
