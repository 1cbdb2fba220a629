import type { Logger } from 'pino';
import { enableTracing } from './spans.js';

export type OtlpProtocol = 'http/json' | 'http/protobuf';
export type SamplerName = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

/** The standard OTEL_* settings this server honours (config.ts reads them; nothing here reads env). */
export interface TracingOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: traces go to `<endpoint>/v1/traces`. */
  endpoint: string | undefined;
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the full URL, used as is (wins over `endpoint`). */
  tracesEndpoint: string | undefined;
  protocol: OtlpProtocol;
  /** OTEL_EXPORTER_OTLP_HEADERS, parsed (`key=value,...`): e.g. a collector's API key, never logged. */
  headers: Record<string, string>;
  serviceName: string;
  sampler: SamplerName;
  /** OTEL_TRACES_SAMPLER_ARG: the ratio for the traceidratio samplers. */
  samplerArg: number;
  /** OTEL_BSP_SCHEDULE_DELAY: how long finished spans wait to be sent in one batch. */
  batchDelayMs: number;
}

export interface Tracing {
  /** Send what is buffered and stop (after the last request has finished). */
  shutdown(): Promise<void>;
}

/** The traces URL the options point at, or undefined when tracing is off. */
export function tracesUrl(o: Pick<TracingOptions, 'endpoint' | 'tracesEndpoint'>): string | undefined {
  if (o.tracesEndpoint) return o.tracesEndpoint;
  return o.endpoint ? `${o.endpoint.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/**
 * Start OpenTelemetry tracing when an OTLP endpoint is configured; otherwise do nothing at all: the
 * SDK and exporters are imported here, on demand, so a server without an endpoint never loads them.
 */
export async function startTracing(o: TracingOptions, logger: Logger): Promise<Tracing | undefined> {
  const url = tracesUrl(o);
  if (!url) return undefined;
  const [
    { NodeTracerProvider, BatchSpanProcessor, AlwaysOnSampler, AlwaysOffSampler, TraceIdRatioBasedSampler, ParentBasedSampler },
    { resourceFromAttributes },
    core,
  ] = await Promise.all([import('@opentelemetry/sdk-trace-node'), import('@opentelemetry/resources'), import('@opentelemetry/core')]);
  const exporter =
    o.protocol === 'http/json'
      ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url, headers: o.headers })
      : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter({ url, headers: o.headers });
  const ratio = new TraceIdRatioBasedSampler(o.samplerArg);
  const root = { always_on: new AlwaysOnSampler(), always_off: new AlwaysOffSampler(), traceidratio: ratio };
  const sampler = o.sampler.startsWith('parentbased_')
    ? new ParentBasedSampler({ root: root[o.sampler.slice('parentbased_'.length) as keyof typeof root] })
    : root[o.sampler as keyof typeof root];
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': o.serviceName }),
    sampler,
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: o.batchDelayMs })],
  });
  // W3C trace context in and out: an incoming traceparent continues its trace, upstream calls carry one.
  provider.register({ propagator: new core.W3CTraceContextPropagator() });
  enableTracing(true);
  logger.info({ protocol: o.protocol, serviceName: o.serviceName, sampler: o.sampler }, 'OpenTelemetry tracing on');
  return {
    async shutdown() {
      enableTracing(false);
      await provider.shutdown().catch((e: unknown) => logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'trace export at shutdown failed'));
    },
  };
}
