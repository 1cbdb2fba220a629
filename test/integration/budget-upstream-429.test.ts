import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type GqlResult, type Stack } from '../helpers/stack.js';

const MINUTE_MS = 20_000;
// The deadline is shorter than any Retry-After used here, so a 429 is not waited out inside one call.
const ENV = { RATE_WINDOW_MINUTE_MS: String(MINUTE_MS), RATE_LIMIT_MAX_WAIT_MS: '50', UPSTREAM_DEADLINE_MS: '3000' };
const AGG = 'query($f: JobFilter) { aggregate(field: CATEGORY, filter: $f) { key count } }';
const err = (r: GqlResult) => r.body.errors?.[0]?.extensions;

let s: Stack;
beforeEach(async () => {
  s = await startStack({ env: ENV, sandbox: { minuteMs: MINUTE_MS } });
});
afterEach(async () => {
  await s.close();
});

describe('an upstream 429 feeds back into the limiter', () => {
  it('Retry-After blocks further calls on that credential and endpoint', async () => {
    s.sandbox.injectFault({ kind: 'rate429', endpoint: 'aggregate_data', times: 1, retryAfterSeconds: 30 });
    const first = await s.gql(AGG, { f: { city: 'a' } });
    expect(err(first)).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 30 });
    const second = await s.gql(AGG, { f: { city: 'b' } });
    expect(err(second)?.code).toBe('RATE_LIMITED');
    expect(err(second)?.retryAfter as number).toBeGreaterThanOrEqual(28);
    expect(s.calls('aggregate_data')).toBe(1);
    // Other endpoints of the key are not blocked.
    const jobs = await s.gql('{ jobs(first: 1) { nodes { uniqId } } }');
    expect(jobs.body.errors).toBeUndefined();
  });

  it("another program spending the key's budget: one 429 reaches us, then we stop asking", async () => {
    const { clientId, authKey } = s.sandbox.keys.sandbox;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await request(`${s.sandbox.url}/aggregate_data?query=job_type&size=${i + 1}`, { headers: { client_id: clientId, client_auth_key: authKey } });
      await res.body.dump();
      statuses.push(res.statusCode);
    }
    expect(statuses.every((c) => c === 200)).toBe(true);
    s.sandbox.clearLog();
    const first = await s.gql(AGG, { f: { city: 'c' } });
    expect(err(first)?.code).toBe('RATE_LIMITED');
    expect(err(first)?.retryAfter as number).toBeGreaterThanOrEqual(1);
    for (const city of ['d', 'e', 'f']) expect(err(await s.gql(AGG, { f: { city } }))?.code).toBe('RATE_LIMITED');
    expect(s.sandbox.log.map((e) => e.status)).toEqual([429]);
  });
});
