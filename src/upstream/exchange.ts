import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

/** A complete upstream answer: status, headers and (for a 200) the body text; other bodies are discarded. */
export interface Exchange {
  statusCode: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** The connection broke after the headers arrived: the upstream had started sending (and charging). */
export class MidBodyError extends Error {
  constructor(override readonly cause: unknown) {
    super('upstream response broke mid-body');
    this.name = 'MidBodyError';
  }
}

export interface ExchangeOptions {
  /** Full URL of the request. */
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
  headersTimeout: number;
  bodyTimeout: number;
}

const origins = new Map<string, string>();

/** `http://h:1/v2/data?x` → origin and path, the origin part memoised (there are two hosts). */
function split(url: string): { origin: string; path: string } {
  const slash = url.indexOf('/', url.indexOf('://') + 3);
  const base = slash < 0 ? url : url.slice(0, slash);
  let origin = origins.get(base);
  if (origin === undefined) {
    origin = new URL(base).origin;
    if (origins.size < 64) origins.set(base, origin);
  }
  return { origin, path: slash < 0 ? '/' : url.slice(slash) };
}

/**
 * One request on undici's dispatcher with a handler that collects the body itself: the same
 * connection pool, timeouts and abort as `undici.request`, without a Readable stream per response
 * (about a third of the client's CPU per call). A non-200 body is not kept: undici reads it off the
 * socket and drops it, so the connection stays reusable. Rejects with undici's error before the
 * headers, with a MidBodyError after them, and with the signal's reason when it aborts.
 */
export function exchange(dispatcher: Dispatcher, o: ExchangeOptions): Promise<Exchange> {
  return new Promise<Exchange>((resolve, reject) => {
    const signal = o.signal;
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    let controller: Dispatcher.DispatchController | undefined;
    let statusCode = 0;
    let headers: IncomingHttpHeaders = {};
    let started = false;
    let keep = false;
    const chunks: Buffer[] = [];
    const onAbort = () => {
      fail(signal.reason);
      controller?.abort(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      reject(e);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const { origin, path } = split(o.url);
    dispatcher.dispatch(
      { origin, path, method: o.method, headers: o.headers, body: o.body ?? null, headersTimeout: o.headersTimeout, bodyTimeout: o.bodyTimeout },
      {
        onRequestStart(c) {
          controller = c;
          if (settled) c.abort(new Error('aborted'));
        },
        onResponseStart(_c, code, h) {
          // 1xx informational answers come before the real one.
          if (code < 200) return;
          started = true;
          statusCode = code;
          headers = h;
          keep = code === 200;
        },
        onResponseData(_c, chunk) {
          if (keep) chunks.push(chunk);
        },
        onResponseEnd() {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
          // Like undici's body.text(): a byte-order mark is not part of the text.
          resolve({ statusCode, headers, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text });
        },
        onResponseError(_c, e) {
          if (started && !keep && !signal.aborted && !settled) {
            // A refusal whose body broke off is still the refusal: its body was never wanted.
            settled = true;
            signal.removeEventListener('abort', onAbort);
            resolve({ statusCode, headers, text: '' });
            return;
          }
          fail(started && !signal.aborted ? new MidBodyError(e) : e);
        },
      },
    );
  });
}
