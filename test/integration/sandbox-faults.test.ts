import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FaultKind, type Sandbox, startSandbox } from '../../src/sandbox/server.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    jobCount: 300,
    limits: { dataPerMinute: 2, dataPerHour: 1000, aggregatePerMinute: 1000, aggregatePerHour: 1000 },
    minuteMs: 60_000,
    productionCredits: 1000,
  });
});
beforeEach(() => {
  sandbox.reset();
});
afterAll(async () => {
  await sandbox.close();
});

interface Answer {
  status: number;
  type: string;
  retryAfter: unknown;
  text: string;
  ms: number;
}

async function data(base = sandbox.url): Promise<Answer> {
  const { clientId, authKey } = sandbox.keys.production;
  const started = performance.now();
  const res = await request(`${base}/data`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', client_id: clientId, client_auth_key: authKey },
    body: JSON.stringify({ search_query_json: { bool: {} }, size: 2 }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, type: String(res.headers['content-type']), retryAfter: res.headers['retry-after'], text, ms: performance.now() - started };
}

async function aggregate(): Promise<number> {
  const { clientId, authKey } = sandbox.keys.sandbox;
  const res = await request(`${sandbox.url}/aggregate_data?query=category`, { headers: { client_id: clientId, client_auth_key: authKey } });
  await res.body.dump();
  return res.statusCode;
}

describe('sandbox fault injection', () => {
  it('answers each status fault as a server in trouble would', async () => {
    const expectations: [FaultKind, number, RegExp, RegExp][] = [
      ['status500', 500, /^application\/json/, /"status":"error"/],
      ['status502', 502, /^text\/plain/, /Bad Gateway/],
      ['status503', 503, /^application\/json/, /"status":"error"/],
      ['html503', 503, /^text\/html/, /<html>[\s\S]*503 Service Temporarily Unavailable/],
      ['rate429', 429, /^application\/json/, /Rate limit exceeded/],
    ];
    for (const [kind, status, type, body] of expectations) {
      sandbox.injectFault({ kind, times: 1 });
      const answer = await data();
      expect([answer.status, answer.type, answer.text], kind).toEqual([status, expect.stringMatching(type), expect.stringMatching(body)]);
    }
    sandbox.injectFault({ kind: 'rate429', times: 1, retryAfterSeconds: 7 });
    expect((await data()).retryAfter).toBe('7');
    // Faults used up: the next request is normal, and faulted requests counted neither limits nor credits.
    expect((await data()).status).toBe(200);
    expect((await data()).status).toBe(200);
    expect(sandbox.creditsRemaining(sandbox.keys.production.clientId)).toBe(996);
    expect(sandbox.log.map((e) => e.status)).toEqual([500, 502, 503, 503, 429, 429, 200, 200]);
  });

  it('resets the connection without answering', async () => {
    sandbox.injectFault({ kind: 'reset', times: 1 });
    await expect(data()).rejects.toThrow();
    expect((await data()).status).toBe(200);
    expect(sandbox.log.map((e) => e.status)).toEqual([0, 200]);
  });

  it('sends a truncated JSON body and a well-formed body of the wrong types', async () => {
    sandbox.injectFault({ kind: 'truncated', times: 1 });
    const truncated = await data();
    expect([truncated.status, truncated.type]).toEqual([200, expect.stringMatching(/^application\/json/)]);
    expect(truncated.text.startsWith('{"status":"success"')).toBe(true);
    expect(() => JSON.parse(truncated.text)).toThrow(SyntaxError);
    sandbox.injectFault({ kind: 'malformed', times: 1 });
    const malformed = JSON.parse((await data()).text) as Record<string, unknown>;
    expect(malformed).toMatchObject({ status: 'success', job_data: 'oops', total_count: 'many' });
  });

  it('delays a slow request, then answers normally', async () => {
    sandbox.injectFault({ kind: 'slow', delayMs: 300, times: 1 });
    const slow = await data();
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(290);
    expect(JSON.parse(slow.text)).toMatchObject({ status: 'success', size: 2 });
    expect((await data()).ms).toBeLessThan(250);
  });

  it('matches faults by host and endpoint, and repeats until cleared when times is not given', async () => {
    sandbox.injectFault({ kind: 'status503', endpoint: 'aggregate_data' });
    sandbox.injectFault({ kind: 'status500', host: 'fallback' });
    expect(await aggregate()).toBe(503);
    expect(await aggregate()).toBe(503);
    expect((await data()).status).toBe(200);
    expect((await data(sandbox.fallbackUrl)).status).toBe(500);
    sandbox.clearFaults();
    expect(await aggregate()).toBe(200);
    expect((await data(sandbox.fallbackUrl)).status).toBe(200);
    sandbox.injectFault({ kind: 'status502', host: 'both', times: 2 });
    expect([(await data()).status, (await data(sandbox.fallbackUrl)).status, await aggregate()]).toEqual([502, 502, 200]);
    expect(sandbox.log.map((e) => `${e.host}:${e.endpoint}:${e.status}`)).toEqual([
      'primary:aggregate_data:503',
      'primary:aggregate_data:503',
      'primary:data:200',
      'fallback:data:500',
      'primary:aggregate_data:200',
      'fallback:data:200',
      'primary:data:502',
      'fallback:data:502',
      'primary:aggregate_data:200',
    ]);
  });

  it('delays every request with setDelay, and reset() restores the starting delay', async () => {
    sandbox.setDelay(200);
    expect((await data()).ms).toBeGreaterThanOrEqual(190);
    sandbox.reset();
    expect((await data()).ms).toBeLessThan(150);
  });

  it('closes promptly while a slow request is pending', async () => {
    const other = await startSandbox({ jobCount: 50 });
    other.injectFault({ kind: 'slow', delayMs: 20_000 });
    const { clientId, authKey } = other.keys.sandbox;
    const pending = request(`${other.url}/aggregate_data?query=category`, { headers: { client_id: clientId, client_auth_key: authKey } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await other.close();
    await expect(pending).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
