import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { tracesUrl } from '../../src/telemetry/tracing.js';
import { configProblems } from '../helpers/config-problems.js';

describe('operations settings', () => {
  it('refuses a shutdown grace that is not longer than the upstream deadline', () => {
    expect(configProblems({ UPSTREAM_DEADLINE_MS: '15000', SHUTDOWN_GRACE_MS: '15000' })).toEqual([
      expect.stringMatching(/^SHUTDOWN_GRACE_MS: must be longer than UPSTREAM_DEADLINE_MS/),
    ]);
    expect(configProblems({ UPSTREAM_DEADLINE_MS: '1000', SHUTDOWN_GRACE_MS: '1001' })).toEqual([]);
  });

  it('defaults: no delay before the listener closes, a 30 s grace', () => {
    const c = loadConfig({});
    expect(c.shutdown).toEqual({ delayMs: 0, graceMs: 30_000 });
  });

  it('refuses TRUSTED_DOCUMENTS_ONLY without a manifest to trust', () => {
    expect(configProblems({ TRUSTED_DOCUMENTS_ONLY: 'true' })).toEqual([expect.stringMatching(/^TRUSTED_DOCUMENTS_ONLY: set TRUSTED_DOCUMENTS_FILE too/)]);
    expect(loadConfig({ TRUSTED_DOCUMENTS_FILE: 'm.json', TRUSTED_DOCUMENTS_ONLY: 'true' }).trustedDocuments).toEqual({ file: 'm.json', only: true });
  });

  it('reads the standard OTEL_* variables: off without an endpoint, the traces URL, headers, protocol and sampler', () => {
    expect(loadConfig({}).tracing).toMatchObject({
      endpoint: undefined,
      tracesEndpoint: undefined,
      protocol: 'http/protobuf',
      serviceName: 'jobspikr-graphql',
      sampler: 'parentbased_always_on',
    });
    const c = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=a%3Db,tenant = t1',
      OTEL_SERVICE_NAME: 'jobs',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    }).tracing;
    expect(c).toEqual({
      endpoint: 'http://collector:4318/',
      tracesEndpoint: undefined,
      protocol: 'http/json',
      headers: { 'x-api-key': 'a=b', tenant: 't1' },
      serviceName: 'jobs',
      sampler: 'parentbased_traceidratio',
      samplerArg: 0.25,
      batchDelayMs: 5_000,
    });
    expect(tracesUrl(c)).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl({ endpoint: 'http://a:4318', tracesEndpoint: 'http://b:4318/custom' })).toBe('http://b:4318/custom');
    expect(configProblems({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL: /)]);
  });
});
