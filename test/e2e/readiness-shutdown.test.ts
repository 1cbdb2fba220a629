import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadinessReport } from '../../src/ops/readiness.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { freePort } from '../helpers/free-port.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { postGraphQL, startServerProcess, stopIfRunning, waitFor, type ServerProcess } from '../helpers/server-process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = ['--import', 'tsx', 'src/index.ts'];

async function readyz(p: ServerProcess): Promise<{ status: number; body: ReadinessReport }> {
  const res = await fetch(`${p.base}/readyz`);
  return { status: res.status, body: (await res.json()) as ReadinessReport };
}

/** Poll /readyz until it answers `status` (readiness is re-checked at most once a second). */
async function readyzUntil(p: ServerProcess, status: number): Promise<ReadinessReport> {
  for (let i = 0; i < 100; i++) {
    const r = await readyz(p);
    if (r.status === status) return r.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/readyz never answered ${status}`);
}

/** A search no earlier test made (Redis would answer it from cache, with no upstream call to slow down). */
const jobs = (keywords: string) => `{ jobs(filter: { keywords: "${keywords}" }, first: 2) { nodes { uniqId } } }`;

describe('readiness and graceful shutdown (server processes over a sandbox and Redis of the test)', () => {
  let sandbox: Sandbox;
  let redis: TestRedis;
  const started: ServerProcess[] = [];

  /** A server using the test's sandbox as its JobsPikr (so the test can slow it down) and its Redis. */
  const start = async (env: NodeJS.ProcessEnv = {}) => {
    const p = await startServerProcess({
      cwd: root,
      args: tsx,
      env: {
        JOBSPIKR_BASE_URL: sandbox.url,
        JOBSPIKR_FALLBACK_BASE_URL: sandbox.fallbackUrl,
        JOBSPIKR_CLIENT_ID: sandbox.keys.sandbox.clientId,
        JOBSPIKR_CLIENT_AUTH_KEY: sandbox.keys.sandbox.authKey,
        REDIS_URL: redis.url,
        ...env,
      },
    });
    started.push(p);
    await waitFor(p);
    return p;
  };

  beforeAll(async () => {
    [sandbox, redis] = await Promise.all([startSandbox(), startRedis()]);
  });
  afterAll(async () => {
    for (const p of started) stopIfRunning(p);
    await Promise.all([sandbox?.close(), redis?.stop()]);
  });

  it('is ready while the upstream and Redis answer, not ready (503, with reasons) while Redis is down, and ready again after', async () => {
    const p = await start();
    expect(await readyz(p)).toEqual({ status: 200, body: { status: 'ready', checks: { upstream: 'ok', redis: 'ok' }, reasons: [] } });
    await redis.kill();
    const down = await readyzUntil(p, 503);
    expect(down).toEqual({ status: 'not_ready', checks: { upstream: 'ok', redis: 'down' }, reasons: [expect.stringMatching(/^redis: /)] });
    await redis.restart();
    expect((await readyzUntil(p, 200)).status).toBe('ready');
    p.child.kill('SIGTERM');
    expect((await p.exited)[0]).toBe(0);
  });

  it('is not ready when no JobsPikr host answers; the reasons name no URL, port or key', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const p = await start({ JOBSPIKR_BASE_URL: `http://127.0.0.1:${a}/v2`, JOBSPIKR_FALLBACK_BASE_URL: `http://127.0.0.1:${b}/v2` });
    const r = await readyz(p);
    expect(r.status).toBe(503);
    expect(r.body).toEqual({
      status: 'not_ready',
      checks: { upstream: 'down', redis: 'ok' },
      reasons: ['upstream: no JobsPikr host answers (primary: unreachable, fallback: unreachable)'],
    });
    const text = JSON.stringify(r.body);
    for (const secret of [String(a), String(b), '127.0.0.1', sandbox.keys.sandbox.authKey, sandbox.keys.sandbox.clientId]) expect(text).not.toContain(secret);
    p.child.kill('SIGTERM');
    await p.exited;
  });

  it('on SIGTERM: /readyz is 503 at once, the listener closes, the operation in flight still gets its data, then the process exits 0', async () => {
    const p = await start({ SHUTDOWN_DELAY_MS: '500' });
    sandbox.clearLog();
    sandbox.injectFault({ kind: 'slow', endpoint: 'data', delayMs: 3_000, times: 1 });
    let settled = false;
    const op = postGraphQL<{ data?: { jobs: { nodes: unknown[] } }; errors?: unknown[] }>(p.base, { query: jobs('engineer') }).finally(() => (settled = true));
    while (!sandbox.log.some((e) => e.endpoint === 'data')) await new Promise((r) => setTimeout(r, 20));
    p.child.kill('SIGTERM');
    const draining = await readyzUntil(p, 503);
    expect(draining.status).toBe('draining');
    expect(draining.reasons[0]).toBe('shutting down');
    // After the delay the listener is closed: new connections are refused while the operation still runs.
    for (let i = 0; i < 100; i++) {
      const refused = await fetch(`${p.base}/healthz`).then(
        () => false,
        () => true,
      );
      if (refused) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await expect(fetch(`${p.base}/healthz`)).rejects.toThrow();
    expect(settled).toBe(false);
    const { status, body } = await op;
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.jobs.nodes).toHaveLength(2);
    expect((await p.exited)[0]).toBe(0);
    const msgs = p.lines.map((l) => l.msg);
    expect(msgs).toEqual(expect.arrayContaining(['shutting down', 'in-flight requests finished', 'stopped']));
    // The operation (and perhaps a health poll whose response is still closing) was in flight.
    expect(p.lines.find((l) => l.msg === 'shutting down')?.inFlight).toBeGreaterThanOrEqual(1);
  });

  it('an upstream call slower than the deadline ends within the grace: the client gets UPSTREAM_UNAVAILABLE, not a cut connection', async () => {
    const p = await start({ UPSTREAM_DEADLINE_MS: '800', SHUTDOWN_GRACE_MS: '3000', UPSTREAM_MAX_ATTEMPTS: '1' });
    sandbox.clearLog();
    sandbox.injectFault({ kind: 'slow', host: 'both', endpoint: 'data', delayMs: 10_000, times: 4 });
    const op = postGraphQL<{ errors?: { extensions?: { code?: string } }[] }>(p.base, { query: jobs('nurse') });
    while (!sandbox.log.some((e) => e.endpoint === 'data')) await new Promise((r) => setTimeout(r, 20));
    p.child.kill('SIGTERM');
    const { status, body } = await op;
    expect(status).toBe(200);
    expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect((await p.exited)[0]).toBe(0);
    expect(p.lines.some((l) => l.msg === 'in-flight requests finished')).toBe(true);
    sandbox.clearFaults();
  });

  it('a request that never completes (a stalled upload) is cut when the grace is over, and the process still exits 0', async () => {
    const p = await start({ UPSTREAM_DEADLINE_MS: '500', SHUTDOWN_GRACE_MS: '1000' });
    const url = new URL(p.base);
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.on('error', () => undefined);
    socket.write(`POST /graphql HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":`);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise((r) => setTimeout(r, 200));
    p.child.kill('SIGTERM');
    expect((await p.exited)[0]).toBe(0);
    await closed;
    const cut = p.lines.find((l) => l.msg === 'shutdown grace is over: cutting the requests still in flight');
    expect(cut?.cut).toBe(1);
  });
});
