import { pino } from 'pino';
import { Agent } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { HostPool, type FailoverOptions } from '../../src/upstream/hosts.js';
import { UpstreamError } from '../../src/upstream/errors.js';

// The circuit breaker of the two JobsPikr hosts, driven with explicit clock values (no waiting).

const pools: HostPool[] = [];
const dispatcher = new Agent();
afterEach(() => {
  for (const p of pools.splice(0)) p.close();
});
afterAll(() => dispatcher.close());

function pool(o: Partial<FailoverOptions> = {}) {
  const metrics = createMetrics();
  // No probe fires within a test: the interval is far longer than any test.
  const p = new HostPool(
    'http://127.0.0.1:9/v2',
    'http://127.0.0.1:9/v2',
    { failureThreshold: 3, cooldownMs: 1_000, probeIntervalMs: 3_600_000, probeTimeoutMs: 100, ...o },
    dispatcher,
    pino({ level: 'silent' }),
    metrics,
  );
  pools.push(p);
  return { p, metrics };
}

describe('HostPool', () => {
  it('stays on the primary until N consecutive faults, and any sane answer resets the count', () => {
    const { p } = pool();
    const t = 1_000_000;
    for (let i = 0; i < 2; i++) p.settle(p.pick(t), 'down', t);
    p.settle(p.pick(t), 'up', t);
    for (let i = 0; i < 2; i++) p.settle(p.pick(t), 'down', t);
    expect(p.pick(t).name).toBe('primary');
    p.settle(p.pick(t), 'down', t);
    expect(p.status(t)).toEqual({ primary: 'open', fallback: 'closed' });
    expect(p.pick(t).name).toBe('fallback');
  });

  it('an unknown outcome (client went away) neither opens nor closes', () => {
    const { p } = pool({ failureThreshold: 1 });
    const t = 5_000;
    p.settle(p.pick(t), 'unknown', t);
    expect(p.status(t).primary).toBe('closed');
  });

  it('after the cooldown lets exactly one trial call through; others keep using the fallback', async () => {
    const { p, metrics } = pool({ failureThreshold: 1 });
    const t = 10_000;
    p.settle(p.pick(t), 'down', t);
    expect((await metrics.hostOpen.get()).values.find((v) => v.labels.host === 'primary')?.value).toBe(1);
    const later = t + 1_000;
    expect(p.status(later).primary).toBe('half_open');
    const trial = p.pick(later);
    expect(trial.name).toBe('primary');
    expect(p.pick(later).name).toBe('fallback');
    expect(p.pick(later).name).toBe('fallback');
    p.settle(trial, 'up', later);
    expect(p.status(later)).toEqual({ primary: 'closed', fallback: 'closed' });
    expect(p.pick(later).name).toBe('primary');
    expect((await metrics.hostOpen.get()).values.find((v) => v.labels.host === 'primary')?.value).toBe(0);
  });

  it('a failed trial re-opens at once, for another full cooldown', () => {
    const { p } = pool({ failureThreshold: 5 });
    const t = 20_000;
    for (let i = 0; i < 5; i++) p.settle(p.pick(t), 'down', t);
    const later = t + 1_000;
    const trial = p.pick(later);
    expect(trial.name).toBe('primary');
    p.settle(trial, 'down', later);
    expect(p.status(later + 999).primary).toBe('open');
    expect(p.status(later + 1_000).primary).toBe('half_open');
  });

  it('a trial that ends without an outcome frees the slot for the next trial', () => {
    const { p } = pool({ failureThreshold: 1 });
    const t = 30_000;
    p.settle(p.pick(t), 'down', t);
    const trial = p.pick(t + 1_000);
    p.settle(trial, 'unknown', t + 1_000);
    expect(p.pick(t + 1_000).name).toBe('primary');
  });

  it('with both circuits open, fails fast with UPSTREAM_UNAVAILABLE and the seconds until a trial', () => {
    const { p } = pool({ failureThreshold: 1, cooldownMs: 4_500 });
    const t = 40_000;
    p.settle(p.pick(t), 'down', t);
    p.settle(p.pick(t), 'down', t);
    let caught: unknown;
    try {
      p.pick(t + 100);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UpstreamError);
    expect(caught).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryAfter: 5 });
  });

  it('opens on a failure rate in a window even without N consecutive faults', () => {
    const { p } = pool({ failureThreshold: 100, failureRate: { windowMs: 10_000, minCalls: 6, ratio: 0.5 } });
    const t = 50_000;
    const outcomes = ['down', 'up', 'down', 'up', 'down'] as const;
    for (const [i, o] of outcomes.entries()) p.settle(p.pick(t + i), o, t + i);
    expect(p.status(t + 5).primary).toBe('closed');
    p.settle(p.pick(t + 5), 'down', t + 5);
    expect(p.status(t + 5).primary).toBe('open');
  });

  it('forgets outcomes older than the window', () => {
    const { p } = pool({ failureThreshold: 100, failureRate: { windowMs: 1_000, minCalls: 4, ratio: 0.5 } });
    const t = 60_000;
    for (let i = 0; i < 3; i++) p.settle(p.pick(t), 'down', t);
    p.settle(p.pick(t), 'up', t);
    // 3 faults in 4 calls, but they are out of the window by now: 1 fault in 4 recent calls.
    const later = t + 5_000;
    for (let i = 0; i < 3; i++) p.settle(p.pick(later), 'up', later);
    p.settle(p.pick(later), 'down', later);
    expect(p.status(later).primary).toBe('closed');
  });
});
