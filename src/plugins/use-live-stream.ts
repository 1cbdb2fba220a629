import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import type { Plugin } from 'graphql-yoga';
import { tokenOf } from '../live/stream-token.js';

/** Messages graphql-sse may hold for one stream beyond what its reader has taken; then operations wait. */
const STREAM_LAG = 16;

const STREAM_PATH = '/graphql/stream';

interface Lag {
  pushed: number;
  pulled: number;
  waiters: (() => void)[];
}

/**
 * GraphQL over SSE in single-connection mode (`/graphql/stream`, graphql-sse's `singleConnection: true`),
 * with backpressure. graphql-sse's handler drains every operation into its stream's queue whether or
 * not the client reads; here an operation's next event waits while its stream's reader is more than
 * STREAM_LAG messages behind, so a reader that stops fills the subscriptions' own bounded queues
 * (and is cut off there, SLOW_CONSUMER) instead of an unbounded one.
 */
export function useLiveStream(): Plugin {
  const lags = new Map<string, Lag>();
  const lagOf = (token: string): Lag => {
    let lag = lags.get(token);
    if (!lag) {
      lag = { pushed: 0, pulled: 0, waiters: [] };
      lags.set(token, lag);
    }
    return lag;
  };
  const release = (lag: Lag) => {
    for (const w of lag.waiters.splice(0)) w();
  };
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(
        useGraphQLSSE({
          endpoint: STREAM_PATH,
          async onNext(_ctx, req) {
            const token = tokenOf(req.headers as Headers, req.url);
            const lag = token === null ? undefined : lags.get(token);
            if (!lag) return;
            while (lag.pushed - lag.pulled >= STREAM_LAG && lags.get(token ?? '') === lag) {
              await new Promise<void>((resolve) => lag.waiters.push(resolve));
            }
            lag.pushed++;
          },
        }),
      );
    },
    onResponse({ request, response, setResponse, fetchAPI }) {
      if (!request.url.split('?')[0]?.endsWith(STREAM_PATH) || !response.body) return;
      if (!/text\/event-stream/i.test(response.headers.get('content-type') ?? '')) return;
      const token = tokenOf(request.headers, request.url);
      if (token === null) return;
      const lag = lagOf(token);
      const source = response.body.getReader();
      const done = () => {
        if (lags.get(token) === lag) lags.delete(token);
        release(lag);
      };
      // Pulled one message at a time: each chunk graphql-sse's stream yields is one printed message.
      const body = new fetchAPI.ReadableStream<Uint8Array>({
        async pull(controller) {
          const r = await source.read();
          if (r.done) {
            done();
            controller.close();
            return;
          }
          // Pings (":\n\n", every 12 s) are not operations' messages: they do not count as taken.
          const ping = r.value.byteLength === 3 && r.value[0] === 0x3a;
          if (!ping) {
            lag.pulled++;
            release(lag);
          }
          controller.enqueue(r.value);
        },
        cancel(reason) {
          done();
          return source.cancel(reason);
        },
      });
      setResponse(new fetchAPI.Response(body, { status: response.status, headers: response.headers }));
    },
  };
}
