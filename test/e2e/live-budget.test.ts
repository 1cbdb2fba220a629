import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../src/sandbox/server.js';
import { serve, subscribe, until, type Served } from '../helpers/live.js';
import { startStack, type Stack } from '../helpers/stack.js';

// A tiny /data budget (10 calls a 2 s "minute") shared by a poller that would like to poll every 20 ms
// and bursts of interactive searches.
const WINDOW_MS = 2_000;
const LIMIT = 10;
const SHARE = 0.2;
let stack: Stack;
let served: Served;

beforeAll(async () => {
  stack = await startStack({
    sandbox: { minuteMs: WINDOW_MS, limits: { dataPerMinute: LIMIT, dataPerHour: 1_000, aggregatePerMinute: 10, aggregatePerHour: 100 } },
    limits: {
      data: { perMinute: LIMIT, perHour: 1_000 },
      expired_jobs: { perMinute: LIMIT, perHour: 1_000 },
      aggregate_data: { perMinute: 10, perHour: 100 },
    },
    env: {
      RATE_WINDOW_MINUTE_MS: String(WINDOW_MS),
      RATE_LIMIT_MAX_WAIT_MS: String(WINDOW_MS * 2),
      UPSTREAM_DEADLINE_MS: String(WINDOW_MS * 3),
      LIVE_MAX_RATE_SHARE: String(SHARE),
      // Our windows outlast the sandbox's by more than the delays of a busy machine (sandbox in this process).
      RATE_WINDOW_MARGIN_RATIO: '0.5',
      LIVE_MIN_POLL_MS: '20',
      LIVE_MAX_POLL_MS: '200',
    },
  });
  served = await serve(stack);
});
afterAll(async () => {
  await served.close();
  await stack.close();
});

const isPoll = (e: RequestLogEntry) => JSON.stringify(e.body).includes('wombat');
const within = (log: RequestLogEntry[], at: number) => log.filter((e) => e.at > at - WINDOW_MS && e.at <= at);

it('polls stay inside their share and yield to interactive searches when the budget is tight', async () => {
  const sub = subscribe(served.url, { title: 'Wombat' });
  await until(() => stack.app.live.stats().polls > 0);
  const answers = [];
  for (let round = 0; round < 3; round++) {
    // More interactive searches than the window holds with the polls' share taken: they wait, never fail.
    const burst = Array.from({ length: LIMIT - 2 }, (_, i) =>
      stack.gql('query($k: String) { jobs(filter: { keywords: $k }, first: 1) { totalCount } }', { k: `w${round}x${i}` }),
    );
    answers.push(...(await Promise.all(burst)));
  }
  sub.dispose();
  await until(() => stack.app.live.stats().topics === 0);

  for (const a of answers) expect(a.body.errors).toBeUndefined();
  const log = stack.sandbox.log.filter((e) => e.endpoint === 'data');
  const polls = log.filter(isPoll);
  expect(polls.length).toBeGreaterThan(0);
  expect(log.length - polls.length).toBe(3 * (LIMIT - 2));
  for (const p of polls) {
    // Never more than the share of any window, never the window's last slot.
    expect(within(polls, p.at).length).toBeLessThanOrEqual(Math.floor(LIMIT * SHARE));
    expect(within(log, p.at).length).toBeLessThanOrEqual(LIMIT - 1);
  }
});
