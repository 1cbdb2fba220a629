import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY } from '../../src/graphiql/default-query.js';
import { MinuteSpendDocument } from '../generated/graphql.js';
import { freePort } from '../helpers/free-port.js';
import { postGql } from '../helpers/http-gql.js';
import { dataOf } from '../helpers/results.js';
import { SeedExampleAnswer } from '../helpers/seed-example.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface LogLine {
  level: number;
  msg: string;
  sandbox?: string;
  clientId?: string;
  signal?: string;
}

/** The environment of a fresh deployment: no JobsPikr keys, so the server embeds the sandbox. */
function cleanEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('JOBSPIKR_') && k !== 'REDIS_URL' && k !== 'REQUIRE_CLIENT_CREDENTIALS') env[k] = v;
  }
  return { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production' };
}

async function waitForHealth(base: string, child: ChildProcess): Promise<Response> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited early with ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return res;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server never became healthy');
}

describe('the server as a process (npm start with no keys)', () => {
  let child: ChildProcess;
  let base: string;
  const lines: LogLine[] = [];
  const stderr: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], { cwd: root, env: cleanEnv(port), stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as LogLine);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  });

  afterAll(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('becomes healthy on its port with both upstream hosts closed (healthy)', async () => {
    const res = await waitForHealth(base, child);
    expect(await res.json()).toEqual({ status: 'ok', upstream: { primary: 'closed', fallback: 'closed' } });
  });

  it('says in its first log line that it serves the embedded sandbox', () => {
    const first = lines[0];
    expect(first?.level).toBe(30);
    expect(first?.msg).toMatch(/sandbox/);
    expect(first?.sandbox).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    expect(first?.clientId).toMatch(/_jp_sandbox_/);
    // the sandbox key's secret never reaches the logs
    expect(JSON.stringify(lines)).not.toMatch(/sbx_[0-9a-f]{8}/);
  });

  it('answers the seed example search (the GraphiQL default query) over HTTP', async () => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: DEFAULT_QUERY }),
    });
    expect(res.status).toBe(200);
    const body = SeedExampleAnswer.parse(await res.json());
    expect(body.errors).toBeUndefined();
    const { jobs, apiUsage } = body.data;
    expect(jobs.totalCount).toBeGreaterThan(0);
    expect(jobs.nodes.length).toBe(Math.min(10, jobs.totalCount));
    for (const n of jobs.nodes) expect(n.uniqId).toMatch(/^[0-9a-f]{32}$/);
    expect(jobs.nodes.some((n) => /engineer/i.test(n.title ?? ''))).toBe(true);
    expect(apiUsage.sandbox).toBe(true);
    // query fields run concurrently, so the spend shows on the next request: exactly one /data call
    const u = dataOf(await postGql(`${base}/graphql`, MinuteSpendDocument));
    const spent = u.apiUsage.limits.map((l) => ({ endpoint: l.endpoint, spent: l.limitPerMinute - l.remainingThisMinute }));
    expect(spent.reduce((a, l) => a + l.spent, 0)).toBe(1);
    expect(spent.find((l) => l.spent === 1)?.endpoint).toMatch(/data/);
  });

  it('answers a malformed Host header with a 4xx, never a 500 with a stack trace', async () => {
    // the Host header is the client's to send; whatwg-node builds the request URL from it
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${base}/graphql`, { method: 'POST', headers: { host: 'undefined:undefined', 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ __typename }' }));
    });
    expect(text).not.toMatch(/node_modules|\n\s+at /);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });

  it('exits cleanly with code 0 on SIGTERM, logging the shutdown', async () => {
    // keep an idle keep-alive connection open: shutdown must not wait on it
    await fetch(`${base}/healthz`).then((r) => r.text());
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(lines.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM')).toBe(true);
    expect(stderr.join('')).toBe('');
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
