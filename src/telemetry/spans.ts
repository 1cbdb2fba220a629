import {
  context,
  createContextKey,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Link,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';

// The hooks the request path calls. Each checks one flag first: with tracing off (no OTLP endpoint)
// nothing is created, looked up or injected, and the SDK is never loaded (tracing.ts imports it).
let enabled = false;

/** Switched on by startTracing once a tracer provider is registered. */
export function enableTracing(on: boolean): void {
  enabled = on;
}

export const isTracing = (): boolean => enabled;

const tracer = () => trace.getTracer('jobspikr-graphql');

/** Where the operation span of the current request is kept, so shared calls can link to it. */
const OPERATION = createContextKey('jobspikr.operation');

/** The operation span a request's work runs under (set by use-tracing.ts). */
export function withOperationSpan<T>(span: Span, parent: ReturnType<typeof context.active>, fn: () => T): T {
  return context.with(trace.setSpan(parent, span).setValue(OPERATION, span), fn);
}

function operationSpanContext(): SpanContext | undefined {
  const s = context.active().getValue(OPERATION) as Span | undefined;
  return s?.spanContext();
}

/** Run `fn` in a new active span; failures are recorded on it. Without tracing, just `fn()`. */
export async function traced<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span | undefined) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  if (!enabled) return fn(undefined);
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.name : 'error' });
      const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
      if (code) span.setAttribute('jobspikr.error_code', code);
      throw e;
    } finally {
      span.end();
    }
  });
}

/** Set attributes on the active span (the upstream call, the shared fetch...). */
export function annotate(attributes: Attributes): void {
  if (enabled) trace.getActiveSpan()?.setAttributes(attributes);
}

/** Add to a numeric attribute of the active span (limiter wait summed over attempts). */
const sums = new WeakMap<Span, Map<string, number>>();
export function accumulate(key: string, value: number): void {
  if (!enabled) return;
  const span = trace.getActiveSpan();
  if (!span) return;
  const m = sums.get(span) ?? new Map<string, number>();
  sums.set(span, m);
  const total = (m.get(key) ?? 0) + value;
  m.set(key, total);
  span.setAttribute(key, total);
}

/** `traceparent` (and `tracestate`) for an outgoing request, from the active span; {} without tracing. */
export function traceHeaders(): Record<string, string> {
  if (!enabled) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * Calls shared by several operations (single-flight): the span of the operation that makes the
 * call is registered under the flight's key; every operation that joins it is linked both ways
 * (the shared span links to the joiner's operation, the joiner's span links to the shared one).
 */
const shared = new Map<string, Span>();

export function shareActiveSpan(key: string): () => void {
  if (!enabled) return noop;
  const span = trace.getActiveSpan();
  if (!span) return noop;
  shared.set(key, span);
  return () => {
    if (shared.get(key) === span) shared.delete(key);
  };
}

export function linkToShared(key: string): void {
  if (!enabled) return;
  const owner = shared.get(key);
  const mine = trace.getActiveSpan();
  if (!owner || !mine) return;
  const op = operationSpanContext() ?? mine.spanContext();
  const back: Link = { context: op, attributes: { 'jobspikr.link': 'served' } };
  owner.addLink(back);
  mine.addLink({ context: owner.spanContext(), attributes: { 'jobspikr.link': 'shared_call' } });
}

const noop = (): void => undefined;

export { SpanKind };
