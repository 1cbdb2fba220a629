import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { captureLogs } from '../helpers/stack.js';
import { configProblems } from '../helpers/config-problems.js';

// The budget layer's durations come from config.ts (defaults unchanged), and reach the parts they tune.

describe('budget timings in config', () => {
  it('default to the values the budget layer was built with', () => {
    const c = loadConfig({});
    expect({
      margin: c.rateGate.windowMargin.ratio,
      marginMax: c.rateGate.windowMargin.maxMs,
      verifiedTtl: c.verifiedKeys.ttlMs,
      recheck: c.verifiedKeys.recheckMs,
      poll: c.peerFlight.pollMs,
      resultTtl: c.peerFlight.resultTtlMs,
      startupWait: c.redis.startupWaitMs,
    }).toEqual({ margin: 0.02, marginMax: 1_000, verifiedTtl: 3_600_000, recheck: 30_000, poll: 20, resultTtl: 5_000, startupWait: 2_000 });
  });

  it('parse from the environment, and refuse nonsense all at once', () => {
    const c = loadConfig({ RATE_WINDOW_MARGIN_RATIO: '0.1', VERIFIED_KEY_TTL_MS: '500', PEER_FLIGHT_POLL_MS: '5' });
    expect([c.rateGate.windowMargin.ratio, c.verifiedKeys.ttlMs, c.peerFlight.pollMs]).toEqual([0.1, 500, 5]);
    const p = configProblems({ RATE_WINDOW_MARGIN_RATIO: '2', PEER_FLIGHT_POLL_MS: '0', VERIFIED_KEY_RECHECK_MS: 'soon', REDIS_STARTUP_WAIT_MS: '-1' });
    expect(p.map((x) => x.split(':')[0]).sort()).toEqual([
      'PEER_FLIGHT_POLL_MS',
      'RATE_WINDOW_MARGIN_RATIO',
      'REDIS_STARTUP_WAIT_MS',
      'VERIFIED_KEY_RECHECK_MS',
    ]);
  });

  it('the window margin reaches the limiter: defaults widen a minute by 1 s, configured values by theirs', async () => {
    const gateOf = (env: Record<string, string>) =>
      createApp({ config: loadConfig({ NODE_ENV: 'test', ...env }), logger: captureLogs('silent').logger, serverKeys: undefined });
    const plain = gateOf({});
    const tuned = gateOf({ RATE_WINDOW_MINUTE_MS: '10000', RATE_WINDOW_HOUR_MS: '100000', RATE_WINDOW_MARGIN_RATIO: '0.1', RATE_WINDOW_MARGIN_MAX_MS: '5000' });
    try {
      expect(plain.gate.windows('data').map((w) => w.windowMs)).toEqual([61_000, 3_601_000]);
      expect(tuned.gate.windows('aggregate_data').map((w) => w.windowMs)).toEqual([11_000, 105_000]);
    } finally {
      await Promise.all([plain.close(), tuned.close()]);
    }
  });
});
