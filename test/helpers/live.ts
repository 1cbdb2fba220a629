import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-sse';
import type { Stack } from './stack.js';

/** A stack's yoga on a real port, so SSE clients connect over real sockets. */
export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(stack: Stack): Promise<Served> {
  const http: Server = createServer(stack.app.yoga);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

export interface Received {
  id: string;
  uniqId: string;
  title: string | null;
}

export interface LiveResult {
  data?: { jobPosted?: { uniqId: string; title: string | null } } | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { jobspikr?: { eventId?: string } };
}

/** One subscription through graphql-sse's own client (either mode), recording what it receives. */
export interface Subscription {
  received: Received[];
  errors: NonNullable<LiveResult['errors']>;
  /** Resolves when the server completes or errors the subscription. */
  ended: Promise<void>;
  /** Wait until `n` events (or an error) arrived; throws after `ms`. */
  waitFor(n: number, ms?: number): Promise<void>;
  dispose(): void;
}

export const JOB_POSTED = 'subscription Live($filter: JobFilter) { jobPosted(filter: $filter) { uniqId title } }';

export function subscribe(
  base: string,
  filter: Record<string, unknown> | null,
  o: { single?: boolean; headers?: Record<string, string>; client?: Client<boolean> } = {},
): Subscription {
  const client =
    o.client ??
    createClient({
      url: o.single ? `${base}/graphql/stream` : `${base}/graphql`,
      singleConnection: o.single ?? false,
      retryAttempts: 0,
      headers: o.headers ?? {},
    });
  const received: Received[] = [];
  const errors: Subscription['errors'] = [];
  let dispose: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    dispose = client.subscribe<NonNullable<LiveResult['data']>, LiveResult['extensions']>(
      { query: JOB_POSTED, variables: { filter } },
      {
        next(r) {
          const job = r.data?.jobPosted;
          if (job) received.push({ id: r.extensions?.jobspikr?.eventId ?? '', uniqId: job.uniqId, title: job.title });
          for (const e of r.errors ?? []) errors.push({ message: e.message, extensions: e.extensions as Record<string, unknown> });
        },
        error(e) {
          errors.push({ message: e instanceof Error ? e.message : JSON.stringify(e), extensions: { code: 'CLIENT' } });
          resolve();
        },
        complete: () => resolve(),
      },
    );
  });
  return {
    received,
    errors,
    ended,
    async waitFor(n, ms = 10_000) {
      const until = Date.now() + ms;
      while (received.length < n && errors.length === 0) {
        if (Date.now() > until) throw new Error(`waited ${ms} ms for ${n} events, got ${received.length}`);
        await sleep(10);
      }
    },
    dispose: () => {
      dispose();
      if (!o.client) client.dispose();
    },
  };
}

/** Poll `check` until it holds (tests assert counts, not timings; this only bounds the wait). */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(10);
  }
}
