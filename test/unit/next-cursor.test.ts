import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createJobsPikrClient, type JobsPikrClient } from '../../src/upstream/client.js';

// A stand-in upstream that answers exactly the body under test, and records what it was sent.
let body = '';
const received: string[] = [];
let server: Server;
let client: JobsPikrClient;
const credentials = { clientId: 'acme_jp_sandbox_1', authKey: 'k', scheme: 'headers' as const };
const record = { uniq_id: 'a'.repeat(32), cursor: 1731065039304787, job_title: 'x' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push(text);
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
  client = createJobsPikrClient({
    baseUrl: base,
    fallbackBaseUrl: base,
    dispatcher: new Agent(),
    logger: createLogger('silent'),
    metrics: createMetrics(),
    headersTimeoutMs: 2_000,
    bodyTimeoutMs: 2_000,
    deadlineMs: 3_000,
    maxAttempts: 1,
    backoffBaseMs: 1,
    backoffMaxMs: 1,
    failover: { failureThreshold: 100, cooldownMs: 1_000, probeIntervalMs: 1_000, probeTimeoutMs: 100 },
  });
});
afterAll(async () => {
  client.close();
  await new Promise((r) => server.close(r));
});

describe('next_cursor is opaque and goes back digit for digit', () => {
  it('keeps every digit of a cursor past 2^53 and sends it back unchanged', async () => {
    body = `{"status":"success","message":"Data present.","total_count":50,"size":1,"next_cursor":12345678901234567891,"job_data":[${JSON.stringify(record)}]}`;
    const page = await client.search({ query: { query_string: { query: '*' } }, size: 1 }, { credentials });
    expect(page.nextCursor).toBe('12345678901234567891');
    await client.search({ query: { query_string: { query: '*' } }, size: 1, cursor: page.nextCursor }, { credentials });
    expect(received.at(-1)).toContain('"cursor":12345678901234567891}');
  });

  it('a next_cursor that cannot be sent back is UPSTREAM_ERROR, not a silent end of the data', async () => {
    body = `{"status":"success","total_count":50,"next_cursor":"abc123","job_data":[${JSON.stringify(record)}]}`;
    await expect(client.search({ query: { query_string: { query: '*' } }, size: 1 }, { credentials })).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
  });

  it('a null or absent next_cursor ends the data', async () => {
    body = `{"status":"success","total_count":1,"next_cursor":null,"job_data":[${JSON.stringify(record)}]}`;
    expect((await client.search({ query: { query_string: { query: '*' } }, size: 1 }, { credentials })).nextCursor).toBeNull();
    body = `{"status":"success","total_count":1,"job_data":[${JSON.stringify(record)}]}`;
    expect((await client.search({ query: { query_string: { query: '*' } }, size: 1 }, { credentials })).nextCursor).toBeNull();
  });
});
