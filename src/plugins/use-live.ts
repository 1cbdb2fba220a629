import { getSSEProcessor, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import type { Context } from '../context.js';
import { isAppError, toGraphQLError } from '../errors.js';

type Processor = ReturnType<typeof getSSEProcessor>;

const EVENT_ID = /"eventId":"(\d+)"/;

/**
 * yoga's SSE framing with an `id:` line on each event that has one, so EventSource (and any client
 * that keeps it) can send `Last-Event-ID` when it reconnects. The stream is re-framed by event (chunks
 * may split or join events); the id is the result's `extensions.jobspikr.eventId`, read from the end of
 * the `data:` line, where JSON escapes quotes inside strings, so record text cannot fake one.
 */
function withEventIds(sse: Processor): Processor {
  return (result, fetchAPI, mediaType) => {
    const res = sse(result, fetchAPI, mediaType) as Response;
    if (!res.body) return res;
    const decoder = new fetchAPI.TextDecoder();
    const encoder = new fetchAPI.TextEncoder();
    const source = res.body.getReader();
    let pending = '';
    // A pulled stream, not a TransformStream: the ponyfill's transform buffers without backpressure, and a
    // reader that stops reading must hold the events in its bounded queue (subscriber.ts), not here.
    const body = new fetchAPI.ReadableStream<Uint8Array>({
      async pull(controller) {
        for (;;) {
          const { done, value } = await source.read();
          if (done) {
            if (pending) controller.enqueue(encoder.encode(pending));
            controller.close();
            return;
          }
          pending += decoder.decode(value, { stream: true });
          let out = '';
          for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
            const event = pending.slice(0, end + 2);
            pending = pending.slice(end + 2);
            const id = event.startsWith('event: next\n') ? EVENT_ID.exec(event.slice(event.lastIndexOf('"extensions"')))?.[1] : undefined;
            out += id ? `id: ${id}\n${event}` : event;
          }
          if (out) {
            controller.enqueue(encoder.encode(out));
            return;
          }
        }
      },
      cancel: (reason) => source.cancel(reason),
    });
    return new fetchAPI.Response(body, { status: res.status, headers: res.headers });
  };
}

/** Subscription errors skip useErrorCodes' execute hook: an AppError keeps its code here, before yoga masks. */
const expected = (e: GraphQLError): GraphQLError => (isAppError(e.originalError) ? toGraphQLError(e.originalError, e) : e);

/** Live subscriptions: each event's id in `extensions.jobspikr.eventId` and, over SSE, as the event's `id:`. */
export function useLive(): Plugin<Context> {
  const sse = withEventIds(getSSEProcessor());
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ args, result, setResult }) {
          const ctx = args.contextValue;
          // Refused before any event (a bound, a bad Last-Event-ID): the error keeps its code, and `data: null`
          // is spelt out, which graphql-sse's single-connection handler needs to see a result at all.
          if (!isAsyncIterable(result)) {
            setResult({ data: null, ...result, ...(result.errors && { errors: result.errors.map(expected) }) });
            return;
          }
          return {
            onNext({ result, setResult }) {
              const live = ctx.live;
              const id = live?.current;
              const errors = result.errors?.map(expected);
              if (!live || id === undefined) {
                if (errors) setResult({ ...result, errors });
                return;
              }
              live.current = undefined;
              const jobspikr = (result.extensions?.jobspikr ?? {}) as Record<string, unknown>;
              setResult({ ...result, ...(errors && { errors }), extensions: { ...result.extensions, jobspikr: { ...jobspikr, eventId: id } } });
            },
          };
        },
      };
    },
    onResultProcess({ request, result, setResultProcessor }) {
      if (isAsyncIterable(result) && /text\/event-stream/i.test(request.headers.get('accept') ?? '')) setResultProcessor(sse, 'text/event-stream');
    },
  };
}
