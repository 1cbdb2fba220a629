import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { postGraphQL, startServerProcess, stopIfRunning, waitFor, type ServerProcess } from '../helpers/server-process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// OTLP span kinds (SPAN_KIND_UNSPECIFIED = 0, INTERNAL = 1).
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

/** The upstream as the server sees it: the test's sandbox behind a proxy that keeps every request's headers. */
async function recordingProxy(sandbox: Sandbox): Promise<{ url: string; fallbackUrl: string; seen: IncomingHttpHeaders[]; server: Server }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const target = req.url?.startsWith('/fallback')
      ? sandbox.fallbackUrl.replace(/\/v2$/, '') + req.url.slice('/fallback'.length)
      : sandbox.url.replace(/\/v2$/, '') + (req.url ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length' && k !== 'connection')) as Record<
        string,
        string
      >;
      const r = await fetch(target, { method: req.method ?? 'GET', headers, ...(chunks.length && { body: Buffer.concat(chunks) }) });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${base}/v2`, fallbackUrl: `${base}/fallback/v2`, seen, server };
}

const traceparent = () => {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, header: `00-${traceId}-${parentId}-01` };
};

const one = (spans: ReceivedSpan[], name: string | RegExp): ReceivedSpan => {
  const found = spans.filter((s) => (typeof name === 'string' ? s.name === name : name.test(s.name)));
  expect(
    found.map((s) => s.name),
    `one span named ${String(name)} in ${JSON.stringify(spans.map((s) => s.name))}`,
  ).toHaveLength(1);
  return found[0] as ReceivedSpan;
};

describe('OpenTelemetry tracing to a real OTLP/HTTP receiver (server processes)', () => {
  let sandbox: Sandbox;
  let redis: TestRedis;
  let receiver: OtlpReceiver;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  const servers: ServerProcess[] = [];

  const start = async (env: NodeJS.ProcessEnv) => {
    const p = await startServerProcess({
      cwd: root,
      args: ['--import', 'tsx', 'src/index.ts'],
      env: {
        JOBSPIKR_BASE_URL: proxy.url,
        JOBSPIKR_FALLBACK_BASE_URL: proxy.fallbackUrl,
        JOBSPIKR_CLIENT_ID: sandbox.keys.sandbox.clientId,
        JOBSPIKR_CLIENT_AUTH_KEY: sandbox.keys.sandbox.authKey,
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_SERVICE_NAME: 'jobs-subgraph-test',
        ...env,
      },
    });
    servers.push(p);
    await waitFor(p);
    return p;
  };

  beforeAll(async () => {
    [sandbox, redis, receiver] = await Promise.all([startSandbox(), startRedis(), startOtlpReceiver()]);
    proxy = await recordingProxy(sandbox);
  });
  afterAll(async () => {
    for (const s of servers) stopIfRunning(s);
    await new Promise<void>((resolve) => {
      proxy?.server.close(() => resolve());
      proxy?.server.closeAllConnections();
    });
    await Promise.all([sandbox?.close(), redis?.stop(), receiver?.close()]);
  });

  describe('http/json, with Redis', () => {
    let server: ServerProcess;
    beforeAll(async () => {
      server = await start({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', REDIS_URL: redis.url });
    });

    it('continues an incoming traceparent: operation -> fetch -> upstream call (-> Redis waits), traceparent sent upstream', async () => {
      const t = traceparent();
      proxy.seen.length = 0;
      const { body } = await postGraphQL<{ errors?: unknown[] }>(
        server.base,
        { query: 'query Search { jobs(filter: { keywords: "nurse" }, first: 3) { nodes { uniqId } } }' },
        { traceparent: t.header },
      );
      expect(body.errors).toBeUndefined();
      const spans = await receiver.trace(t.traceId, 4);
      const op = one(spans, 'query Search');
      expect(op).toMatchObject({ kind: SPAN_KIND_SERVER, parentSpanId: t.parentId, serviceName: 'jobs-subgraph-test' });
      expect(op.attributes).toMatchObject({
        'graphql.operation.name': 'Search',
        'graphql.operation.type': 'query',
        'jobspikr.upstream_calls': 1,
        'jobspikr.credits': 0,
      });
      const fetch = one(spans, 'jobspikr.search');
      expect(fetch.parentSpanId).toBe(op.spanId);
      expect(fetch.attributes).toMatchObject({ 'jobspikr.cache': 'miss', 'jobspikr.records': 3, 'jobspikr.credits': 0 });
      const call = one(spans, 'JobsPikr POST /data');
      expect(call.kind).toBe(SPAN_KIND_CLIENT);
      expect(call.parentSpanId).toBe(fetch.spanId);
      expect(call.attributes).toMatchObject({
        'jobspikr.endpoint': 'data',
        'jobspikr.host': 'primary',
        'server.address': new URL(proxy.url).host,
        'http.response.status_code': 200,
        'jobspikr.records': 3,
        'jobspikr.retries': 0,
      });
      expect(typeof call.attributes['jobspikr.limiter_wait_ms']).toBe('number');
      // The shared rate window lives in Redis: its round trips are spans under the call.
      expect(spans.filter((s) => s.name === 'redis rate-window take' && s.parentSpanId === call.spanId).length).toBeGreaterThan(0);
      // Upstream saw this trace, with the call's own span as parent.
      const sent = proxy.seen.map((h) => h.traceparent).filter((v) => typeof v === 'string');
      expect(sent).toEqual([`00-${t.traceId}-${call.spanId}-01`]);
    });

    it('a cached answer is a fetch span with cache=hit and no upstream call', async () => {
      const t = traceparent();
      proxy.seen.length = 0;
      await postGraphQL(
        server.base,
        { query: 'query Again { jobs(filter: { keywords: "nurse" }, first: 3) { nodes { uniqId } } }' },
        { traceparent: t.header },
      );
      const spans = await receiver.trace(t.traceId, 2);
      expect(one(spans, 'jobspikr.search').attributes['jobspikr.cache']).toBe('hit');
      expect(spans.some((s) => s.kind === SPAN_KIND_CLIENT)).toBe(false);
      expect(proxy.seen.filter((h) => h.client_id !== undefined || h.traceparent !== undefined)).toHaveLength(0);
    });

    it('one upstream call shared by two operations links to both (span links, both ways)', async () => {
      const [a, b] = [traceparent(), traceparent()];
      sandbox.clearLog();
      sandbox.injectFault({ kind: 'slow', endpoint: 'data', delayMs: 600, times: 1 });
      const query = 'query Shared { jobs(filter: { keywords: "pilot" }, first: 2) { nodes { uniqId } } }';
      await Promise.all([postGraphQL(server.base, { query }, { traceparent: a.header }), postGraphQL(server.base, { query }, { traceparent: b.header })]);
      expect(sandbox.log.filter((e) => e.endpoint === 'data')).toHaveLength(1);
      const [sa, sb] = await Promise.all([receiver.trace(a.traceId, 3), receiver.trace(b.traceId, 2)]);
      const [owner, joiner] = sa.some((s) => s.kind === SPAN_KIND_CLIENT) ? [sa, sb] : [sb, sa];
      const ownerFetch = one(owner, 'jobspikr.search');
      const joinerFetch = one(joiner, 'jobspikr.search');
      const joinerOp = one(joiner, 'query Shared');
      expect(joinerFetch.attributes['jobspikr.cache']).toBe('coalesced');
      expect(joiner.some((s) => s.kind === SPAN_KIND_CLIENT)).toBe(false);
      expect(ownerFetch.links).toEqual([{ traceId: joinerOp.traceId, spanId: joinerOp.spanId, attributes: { 'jobspikr.link': 'served' } }]);
      expect(joinerFetch.links).toEqual([{ traceId: ownerFetch.traceId, spanId: ownerFetch.spanId, attributes: { 'jobspikr.link': 'shared_call' } }]);
    });
  });

  it('http/protobuf: the exporter sends protobuf, the trace continues the same way', async () => {
    const server = await start({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
    const t = traceparent();
    await postGraphQL(
      server.base,
      { query: 'query Proto { jobs(filter: { keywords: "engineer" }, first: 2) { nodes { uniqId } } }' },
      { traceparent: t.header },
    );
    const spans = await receiver.trace(t.traceId, 3);
    expect(receiver.contentTypes).toContain('application/x-protobuf');
    expect(one(spans, 'query Proto')).toMatchObject({ parentSpanId: t.parentId, kind: SPAN_KIND_SERVER, serviceName: 'jobs-subgraph-test' });
    expect(one(spans, 'JobsPikr POST /data').attributes).toMatchObject({ 'http.response.status_code': 200, 'jobspikr.records': 2 });
    server.child.kill('SIGTERM');
    expect((await server.exited)[0]).toBe(0);
  });

  it('OTEL_TRACES_SAMPLER=always_off: nothing exported, yet every upstream request still carries a (not sampled) traceparent', async () => {
    const server = await start({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'always_off' });
    proxy.seen.length = 0;
    const t = traceparent();
    await postGraphQL(server.base, { query: '{ jobs(filter: { keywords: "driver" }, first: 2) { nodes { uniqId } } }' }, { traceparent: t.header });
    const sent = proxy.seen.filter((h) => h.client_id !== undefined).map((h) => h.traceparent);
    expect(sent.length).toBeGreaterThan(0);
    for (const v of sent) expect(v).toMatch(new RegExp(`^00-${t.traceId}-[0-9a-f]{16}-00$`));
    server.child.kill('SIGTERM');
    await server.exited;
    expect(receiver.spans.filter((s) => s.traceId === t.traceId)).toEqual([]);
  });

  it('off without an endpoint: nothing exported, no traceparent upstream', async () => {
    const server = await start({});
    const before = receiver.spans.length;
    proxy.seen.length = 0;
    const t = traceparent();
    await postGraphQL(server.base, { query: '{ jobs(filter: { keywords: "welder" }, first: 2) { nodes { uniqId } } }' }, { traceparent: t.header });
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(proxy.seen.some((h) => h.traceparent !== undefined)).toBe(false);
    server.child.kill('SIGTERM');
    await server.exited;
    expect(receiver.spans.length).toBe(before);
    expect(server.lines.some((l) => l.msg === 'OpenTelemetry tracing on')).toBe(false);
  });
});
