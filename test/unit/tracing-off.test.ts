import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isTracing, traceHeaders } from '../../src/telemetry/spans.js';
import { startTracing, type TracingOptions } from '../../src/telemetry/tracing.js';
import { captureLogs, startStack } from '../helpers/stack.js';

const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((p) => /@opentelemetry[\\/](sdk-trace|exporter-trace|resources|otlp)/.test(p));

/** Tracing settings as config.ts would give them, with an endpoint or without. */
const options = (o: Pick<TracingOptions, 'endpoint' | 'protocol'>): TracingOptions => ({
  tracesEndpoint: undefined,
  headers: {},
  serviceName: 's',
  sampler: 'always_on',
  samplerArg: 1,
  batchDelayMs: 100,
  ...o,
});

describe('tracing off (no OTLP endpoint)', () => {
  it('never loads the OpenTelemetry SDK or an exporter, injects nothing, and the server answers as usual', async () => {
    const logs = captureLogs('info');
    expect(await startTracing(options({ endpoint: undefined, protocol: 'http/protobuf' }), logs.logger)).toBeUndefined();
    const stack = await startStack();
    try {
      const r = await stack.gql('{ jobs(filter: { keywords: "engineer" }, first: 2) { nodes { uniqId } } }');
      expect(r.body.errors).toBeUndefined();
      expect(isTracing()).toBe(false);
      expect(traceHeaders()).toEqual({});
      expect(loaded()).toEqual([]);
      expect(logs.lines).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it('loads them only once an endpoint is set (so the check above can see them)', async () => {
    const logs = captureLogs('info');
    const tracing = await startTracing(options({ endpoint: 'http://127.0.0.1:9', protocol: 'http/json' }), logs.logger);
    expect(tracing).toBeDefined();
    expect(isTracing()).toBe(true);
    expect(loaded().length).toBeGreaterThan(0);
    await tracing?.shutdown();
    expect(isTracing()).toBe(false);
  });
});
