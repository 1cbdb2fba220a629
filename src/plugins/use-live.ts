import { getSSEProcessor, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import type { Context } from '../context.js';
import { isAppError, toGraphQLError } from '../errors.js';

type Processor = ReturnType<typeof getSSEProcessor>;

const EVENT_ID = /"eventId":"(\d+)"/;

/**
 * yoga's SSE framing with an `id:` line on each event that has one, so EventSource (and any client
 * that keeps it) can send `Last-Event-ID` when it reconnects. yoga writes `event: next\n` and the
 * `data:` line as separate chunks; the id goes before the pair. The id comes from the result's
 * `extensions.jobspikr.eventId`; JSON escapes quotes inside strings, so record text cannot fake one.
 */
function withEventIds(sse: Processor): Processor {
  return (result, fetchAPI, mediaType) => {
    const res = sse(result, fetchAPI, mediaType) as Response;
    if (!res.body) return res;
    const decoder = new fetchAPI.TextDecoder();
    const encoder = new fetchAPI.TextEncoder();
    let held: Uint8Array | undefined;
    const ids = new fetchAPI.TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const text = decoder.decode(chunk);
        if (text === 'event: next\n') {
          held = chunk;
          return;
        }
        if (held) {
          const id = text.startsWith('data: ') ? EVENT_ID.exec(text.slice(text.lastIndexOf('"extensions"')))?.[1] : undefined;
          if (id) controller.enqueue(encoder.encode(`id: ${id}\n`));
          controller.enqueue(held);
          held = undefined;
        }
        controller.enqueue(chunk);
      },
    });
    return new fetchAPI.Response(res.body.pipeThrough(ids), { status: res.status, headers: res.headers });
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
          // Refused before any event (a bound, bad Last-Event-ID): the error keeps its code.
          if (!isAsyncIterable(result)) {
            if (result.errors) setResult({ ...result, errors: result.errors.map(expected) });
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
