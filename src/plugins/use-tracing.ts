import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type TextMapGetter } from '@opentelemetry/api';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { withOperationSpan } from '../telemetry/spans.js';

const fromHeaders: TextMapGetter<Headers> = {
  get: (h, key) => h.get(key) ?? undefined,
  keys: (h) => [...h.keys()],
};

/**
 * One server span per GraphQL operation, continuing an incoming W3C `traceparent`; everything the
 * operation does (upstream calls, Redis waits) runs under it. Installed only with tracing on.
 */
export function useTracing(): Plugin<Context> {
  const spans = new WeakMap<object, Span>();
  return {
    instrumentation: {
      operation({ context: ctx, request }, wrapped) {
        const parent = propagation.extract(context.active(), request.headers, fromHeaders);
        const span = trace.getTracer('jobspikr-graphql').startSpan('graphql.operation', { kind: SpanKind.SERVER }, parent);
        spans.set(ctx, span);
        const end = () => span.end();
        return withOperationSpan(span, parent, () => {
          try {
            const r = wrapped();
            if (r && typeof (r as Promise<void>).then === 'function') return (r as Promise<void>).finally(end);
            end();
            return r;
          } catch (e) {
            end();
            throw e;
          }
        });
      },
    },
    onExecute({ args }) {
      const span = spans.get(args.contextValue);
      if (!span) return;
      const op = getOperationAST(args.document, args.operationName);
      const type = op?.operation ?? 'query';
      const name = op?.name?.value;
      span.updateName(name ? `${type} ${name}` : type);
      span.setAttributes({ 'graphql.operation.type': type, ...(name && { 'graphql.operation.name': name }) });
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return;
          const usage = args.contextValue.usage.toJSON();
          span.setAttributes({ 'jobspikr.upstream_calls': usage.upstreamCalls, 'jobspikr.credits': usage.creditsCharged });
          const codes = (result.errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          if (codes.length) {
            span.setAttribute('jobspikr.error_codes', [...new Set(codes)]);
            span.setStatus({ code: SpanStatusCode.ERROR, message: codes[0] });
          }
        },
      };
    },
  };
}
