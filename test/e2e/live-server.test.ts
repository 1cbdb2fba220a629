import { request } from 'node:http';
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, subscribe, until, type Served, type Subscription } from '../helpers/live.js';
import { startStack, type Stack } from '../helpers/stack.js';

// One server without Redis (the in-memory bus), the sandbox behind it, SSE over real sockets.
const BUFFER = 250;
let stack: Stack;
let served: Served;
const open: Subscription[] = [];

beforeAll(async () => {
  // Budgets far above what the tests use: polls' share (0.2 of a window) must not be what they measure.
  const many = { perMinute: 5_000, perHour: 100_000 };
  stack = await startStack({
    sandbox: { limits: { dataPerMinute: many.perMinute, dataPerHour: many.perHour, aggregatePerMinute: 10, aggregatePerHour: 100 } },
    limits: { data: many, expired_jobs: many, aggregate_data: { perMinute: 10, perHour: 100 } },
    env: {
      LIVE_MIN_POLL_MS: '20',
      LIVE_MAX_POLL_MS: '100',
      LIVE_SUBSCRIBER_BUFFER: String(BUFFER),
      LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
      LIVE_MAX_SUBSCRIPTIONS_PER_CALLER: '4',
      LIVE_MAX_TOPICS: '2',
      MAX_ALIASES: '100',
      MAX_TOKENS: '10000',
      MAX_COST: '100000',
    },
  });
  served = await serve(stack);
});
afterAll(async () => {
  for (const s of open) s.dispose();
  await served.close();
  await stack.close();
});

const closeAll = async () => {
  for (const s of open.splice(0)) s.dispose();
  await until(() => stack.app.live.stats().subscribers === 0 && stack.app.live.stats().topics === 0);
};

/** POST a subscription as EventSource-style clients do and read the raw event stream. */
function rawStream(query: string, o: { lastEventId?: string; pauseAfterFirst?: boolean } = {}) {
  let text = '';
  let closed = false;
  let resume: () => void = () => undefined;
  const body = JSON.stringify({ query });
  const req = request(`${served.url}/graphql`, {
    method: 'POST',
    agent: false,
    headers: {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...(o.lastEventId && { 'last-event-id': o.lastEventId }),
    },
  });
  req.on('response', (res) => {
    res.setEncoding('utf8');
    res.on('data', (d: string) => {
      text += d;
      if (o.pauseAfterFirst) res.pause();
    });
    res.on('close', () => {
      closed = true;
    });
    res.on('error', () => undefined);
    resume = () => {
      o.pauseAfterFirst = false;
      res.resume();
    };
  });
  req.on('error', () => {
    closed = true;
  });
  req.end(body);
  return {
    get text() {
      return text;
    },
    get closed() {
      return closed;
    },
    resume: () => resume(),
    close: () => req.destroy(),
  };
}

describe('jobPosted on one server', () => {
  it('each SSE event carries its id (`id:` line and extensions.jobspikr.eventId); Last-Event-ID replays after it', async () => {
    const stream = rawStream('subscription { jobPosted(filter: { title: "Plimsoll" }) { uniqId } }');
    await until(() => stack.app.live.stats().polls > 0);
    const posted = stack.sandbox.publish(2, { job_title: 'Plimsoll fitter' });
    await until(() => (stream.text.match(/^event: next$/gm) ?? []).length === 2);
    const ids = [...stream.text.matchAll(/^id: (\d+)\nevent: next\ndata: (.*)$/gm)].map((m) => {
      const r = JSON.parse(m[2] ?? '{}') as { data: { jobPosted: { uniqId: string } }; extensions: { jobspikr: { eventId: string } } };
      expect(r.extensions.jobspikr.eventId).toBe(m[1]);
      return { id: m[1], uniqId: r.data.jobPosted.uniqId };
    });
    expect(ids.map((i) => i.uniqId)).toEqual(posted.map((p) => p.uniq_id));
    expect(ids.map((i) => i.id)).toEqual(posted.map((p) => String(p.cursor)));

    // A reconnect with the first id gets the second again, from the replay list.
    const again = rawStream('subscription { jobPosted(filter: { title: "Plimsoll" }) { uniqId } }', { lastEventId: ids[0]?.id ?? '' });
    await until(() => again.text.includes(posted[1]?.uniq_id ?? '-'));
    expect(again.text).not.toContain(posted[0]?.uniq_id);
    stream.close();
    again.close();
    await until(() => stack.app.live.stats().subscribers === 0);
  });

  it('past a bound, a SUBSCRIPTION_LIMIT error names it: per connection, per caller, topics per server', async () => {
    // Single-connection mode: three subscriptions on one SSE stream, two allowed.
    const shared = createClient({ url: `${served.url}/graphql/stream`, singleConnection: true, retryAttempts: 0 });
    open.push(subscribe(served.url, { title: 'Alpha' }, { client: shared }), subscribe(served.url, { title: 'Alpha' }, { client: shared }));
    await until(() => stack.app.live.stats().subscribers === 2);
    const third = subscribe(served.url, { title: 'Alpha' }, { client: shared });
    await third.ended;
    expect(third.errors.map((e) => e.extensions)).toEqual([{ code: 'SUBSCRIPTION_LIMIT', limit: 'connection', max: 2 }]);
    shared.dispose();
    await closeAll();

    // One caller (every test client is 127.0.0.1), one connection each: four allowed.
    for (let i = 0; i < 4; i++) open.push(subscribe(served.url, { title: 'Alpha' }));
    await until(() => stack.app.live.stats().subscribers === 4);
    const fifth = subscribe(served.url, { title: 'Alpha' });
    await fifth.ended;
    expect(fifth.errors.map((e) => e.extensions)).toEqual([{ code: 'SUBSCRIPTION_LIMIT', limit: 'caller', max: 4 }]);
    await closeAll();

    // Two distinct filters at once; a third is refused, a subscriber to one already followed is not.
    open.push(subscribe(served.url, { title: 'Alpha' }), subscribe(served.url, { title: 'Beta' }));
    await until(() => stack.app.live.stats().topics === 2);
    const gamma = subscribe(served.url, { title: 'Gamma' });
    await gamma.ended;
    expect(gamma.errors.map((e) => e.extensions)).toEqual([{ code: 'SUBSCRIPTION_LIMIT', limit: 'topics', max: 2 }]);
    open.push(subscribe(served.url, { title: ' BETA ' }));
    await until(() => stack.app.live.stats().subscribers === 3);
    await closeAll();
  });

  it('a poll that cannot succeed (keys the upstream refuses) ends its subscriptions with the code; the topic goes', async () => {
    const wrong = { client_id: stack.sandbox.keys.sandbox.clientId, client_auth_key: 'not-the-key' };
    const s = subscribe(served.url, { title: 'Alpha' }, { headers: wrong });
    await s.ended;
    expect(s.errors.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    await until(() => stack.app.live.stats().topics === 0 && stack.app.live.stats().subscribers === 0);
  });

  it('a Last-Event-ID that is not an event id is BAD_USER_INPUT, with no upstream call', async () => {
    const calls = stack.calls('data');
    const s = subscribe(served.url, { title: 'Alpha' }, { headers: { 'last-event-id': 'abc' } });
    await s.ended;
    expect(s.errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(stack.calls('data')).toBe(calls);
    expect(stack.app.live.stats().topics).toBe(0);
  });

  it('a subscriber that stops reading is cut off past its buffer bound; one that reads gets everything', async () => {
    // Big events (40 aliases of the HTML description) fill the socket buffers within a few hundred jobs; the
    // other subscriber, asking for little and reading all the time, keeps up.
    const fields = Array.from({ length: 40 }, (_, i) => `h${i}: htmlDescription`).join(' ');
    const slow = rawStream(`subscription { jobPosted(filter: { title: "Quokka" }) { uniqId ${fields} } }`, { pauseAfterFirst: true });
    const reader = subscribe(served.url, { title: 'Quokka' });
    open.push(reader);
    await until(() => stack.app.live.stats().subscribers === 2 && stack.app.live.stats().polls > 0);
    const posted = stack.sandbox.publish(800, { job_title: 'Quokka keeper' });
    await until(() => stack.app.live.stats().cutOffs === 1, 20_000);
    // Reading again at once (within the grace before its connection is dropped), it finds the error as its last event.
    slow.resume();
    await until(() => slow.closed, 20_000);
    await reader.waitFor(800, 20_000);
    expect(reader.received.map((r) => r.uniqId)).toEqual(posted.map((p) => p.uniq_id));
    expect(stack.app.live.stats()).toMatchObject({ subscribers: 1, cutOffs: 1 });
    expect(slow.text).toContain('"code":"SLOW_CONSUMER"');
    expect((slow.text.match(/^event: next$/gm) ?? []).length).toBeLessThan(800);
    await closeAll();
  });
  it('single-connection mode: a stream that stops reading holds its subscriptions back until they are cut off', async () => {
    const fields = Array.from({ length: 40 }, (_, i) => `h${i}: htmlDescription`).join(' ');
    const put = await fetch(`${served.url}/graphql/stream`, { method: 'PUT' });
    const token = await put.text();
    let text = '';
    let resume: () => void = () => undefined;
    const stream = request(`${served.url}/graphql/stream`, { agent: false, headers: { accept: 'text/event-stream', 'x-graphql-event-stream-token': token } });
    stream.on('response', (res) => {
      res.setEncoding('utf8');
      let paused = true;
      res.on('data', (d: string) => {
        text += d;
        if (paused) res.pause();
      });
      res.on('error', () => undefined);
      resume = () => {
        paused = false;
        res.resume();
      };
    });
    stream.on('error', () => undefined);
    stream.end();
    await until(() => text.length > 0);
    const op = await fetch(`${served.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-graphql-event-stream-token': token },
      body: JSON.stringify({ query: `subscription { jobPosted(filter: { title: "Numbat" }) { uniqId ${fields} } }`, extensions: { operationId: 'slow-1' } }),
    });
    expect(op.status).toBe(202);
    const reader = subscribe(served.url, { title: 'Numbat' });
    open.push(reader);
    await until(() => stack.app.live.stats().subscribers === 2 && stack.app.live.stats().polls > 0);
    const cutBefore = stack.app.live.stats().cutOffs;
    const posted = stack.sandbox.publish(800, { job_title: 'Numbat ranger' });
    await until(() => stack.app.live.stats().cutOffs === cutBefore + 1, 20_000);
    resume();
    await until(() => text.includes('"code":"SLOW_CONSUMER"'), 20_000);
    await reader.waitFor(800, 20_000);
    expect(reader.received.map((r) => r.uniqId)).toEqual(posted.map((p) => p.uniq_id));
    expect((text.match(/^event: next$/gm) ?? []).length).toBeLessThan(800);
    stream.destroy();
    await closeAll();
  });
});
