import { request, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createHttpServer } from '../../src/http-server.js';
import { startStack, type Stack } from '../helpers/stack.js';

// Finding 1: a client that gives up must not burn credits. A /data call that has left runs to its own
// deadline, is charged, cached and recorded; only what has not left (queued for rate budget) is dropped.

interface Served {
  stack: Stack;
  server: Server;
  port: number;
}

async function serve(stack: Stack): Promise<Served> {
  const server = createHttpServer(stack.app.yoga, loadConfig({}).http);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { stack, server, port: address.port };
}

/** POST a query over real HTTP and give up (destroy the socket) when `abort` fires. */
function sendAndGiveUp(port: number, query: string, abort: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ query });
    const req = request(
      { port, host: '127.0.0.1', method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', host: `127.0.0.1:${port}` }, signal: abort },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
        res.on('error', () => resolve());
      },
    );
    req.on('error', () => resolve());
    req.end(body);
  });
}

const page = (keywords: string) => `{ jobs(first: 100, filter: { keywords: "${keywords}", includeExpired: true }) { nodes { uniqId } } }`;

describe('a charged call whose clients all gave up', () => {
  let s: Served;
  let prod: { clientId: string; authKey: string; scheme: 'headers' };
  beforeAll(async () => {
    const stack = await startStack({ key: 'production', sandbox: { jobCount: 600, productionCredits: 10_000 } });
    s = await serve(stack);
    prod = { ...stack.sandbox.keys.production, scheme: 'headers' };
  });
  afterEach(() => s.stack.sandbox.setDelay(0));
  afterAll(async () => {
    s.server.close();
    s.server.closeAllConnections();
    await s.stack.close();
  });

  const dataCalls = (keywords: string) => s.stack.sandbox.log.filter((e) => e.endpoint === 'data' && JSON.stringify(e.body).includes(keywords));
  const remaining = () => s.stack.sandbox.creditsRemaining(prod.clientId);

  it('runs to the end once sent, is charged once, recorded in the ledger and cached', async () => {
    const before = remaining();
    const ledger = (await s.stack.app.jobs.credits(prod)).used;
    s.stack.sandbox.setDelay(400);
    const abort = new AbortController();
    const gone = sendAndGiveUp(s.port, page('engineer'), abort.signal);
    await vi.waitFor(() => expect(dataCalls('engineer')).toHaveLength(1), { timeout: 5_000, interval: 5 });
    abort.abort();
    await gone;
    // The upstream answered the call the client left (and charged for it) ...
    await vi.waitFor(() => expect(dataCalls('engineer')[0]?.status).toBe(200), { timeout: 5_000 });
    const bought = dataCalls('engineer')[0]?.records ?? 0;
    expect(bought).toBeGreaterThan(0);
    expect(remaining()).toBe(before - bought);
    // ... and this server recorded it: the ledger moved by exactly what was bought.
    await vi.waitFor(async () => expect((await s.stack.app.jobs.credits(prod)).used).toBe(ledger + bought), { timeout: 5_000 });
    // The next identical query is served from cache: no call, nothing charged.
    s.stack.sandbox.setDelay(0);
    const again = await s.stack.gql(page('engineer'));
    expect(again.body.errors).toBeUndefined();
    expect(dataCalls('engineer')).toHaveLength(1);
    expect(again.body.extensions?.jobspikr).toMatchObject({ creditsCharged: 0, creditsSavedByCache: bought, upstreamCalls: 0 });
    expect(remaining()).toBe(before - bought);
  });

  it('five clients giving up on the same page buy it once', async () => {
    const before = remaining();
    s.stack.sandbox.setDelay(800);
    const abort = new AbortController();
    const gone = Array.from({ length: 5 }, () => sendAndGiveUp(s.port, page('nurse'), abort.signal));
    await vi.waitFor(() => expect(dataCalls('nurse')).toHaveLength(1), { timeout: 5_000, interval: 5 });
    abort.abort();
    await Promise.all(gone);
    await vi.waitFor(() => expect(dataCalls('nurse')[0]?.status).toBe(200), { timeout: 5_000 });
    const bought = dataCalls('nurse')[0]?.records ?? 0;
    await vi.waitFor(() => expect(s.stack.app.jobs.callsInFlight).toBe(0), { timeout: 5_000 });
    s.stack.sandbox.setDelay(0);
    const again = await s.stack.gql(page('nurse'));
    expect(again.body.extensions?.jobspikr).toMatchObject({ creditsCharged: 0, upstreamCalls: 0 });
    expect(dataCalls('nurse')).toHaveLength(1);
    expect(remaining()).toBe(before - bought);
  });
});

describe('a call that has not left when its client gives up', () => {
  let s: Served;
  beforeAll(async () => {
    // One /data call a (short) minute: the second waits at the rate gate.
    const stack = await startStack({
      key: 'production',
      sandbox: { jobCount: 300 },
      limits: { data: { perMinute: 1, perHour: 100 }, expired_jobs: { perMinute: 100, perHour: 5_000 }, aggregate_data: { perMinute: 10, perHour: 100 } },
      env: { RATE_WINDOW_MINUTE_MS: '1200', RATE_LIMIT_MAX_WAIT_MS: '10000', RATE_WINDOW_MARGIN_MAX_MS: '0' },
    });
    s = await serve(stack);
  });
  afterAll(async () => {
    s.server.close();
    s.server.closeAllConnections();
    await s.stack.close();
  });

  it('is dropped from the queue and never sent', async () => {
    const first = await s.stack.gql(page('driver'));
    expect(first.body.errors).toBeUndefined();
    const before = s.stack.sandbox.creditsRemaining(s.stack.sandbox.keys.production.clientId);
    const abort = new AbortController();
    const gone = sendAndGiveUp(s.port, page('teacher'), abort.signal);
    // It queues for the spent minute; then its client leaves.
    await vi.waitFor(() => expect(s.stack.app.jobs.callsInFlight).toBe(1), { timeout: 5_000, interval: 5 });
    abort.abort();
    await gone;
    // A later call queued behind it goes out when the window frees; the abandoned one never does.
    const later = await s.stack.gql(page('chef'));
    expect(later.body.errors).toBeUndefined();
    const sent = s.stack.sandbox.log.filter((e) => e.endpoint === 'data').map((e) => JSON.stringify(e.body));
    expect(sent.some((b) => b.includes('teacher'))).toBe(false);
    expect(sent.filter((b) => b.includes('chef'))).toHaveLength(1);
    const chef = s.stack.sandbox.log.find((e) => JSON.stringify(e.body).includes('chef'));
    expect(s.stack.sandbox.creditsRemaining(s.stack.sandbox.keys.production.clientId)).toBe(before - (chef?.records ?? 0));
  });
});
