import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { callerKey, type Caller } from '../../src/callers/caller.js';
import { createCallerMetrics } from '../../src/callers/caller-metrics.js';
import { clientAddress } from '../../src/callers/client-address.js';
import { loadConfig } from '../../src/config.js';
import { MAX_CALLER_METRIC_LABELS } from '../../src/limits.js';
import { configProblems } from '../helpers/config-problems.js';

const HASH = 'a'.repeat(64);

describe('caller settings', () => {
  it('defaults: no tokens, no JWKS, anonymous allowed, no quotas, half of any window per caller, open CORS', () => {
    const c = loadConfig({});
    expect(c.callers).toMatchObject({ tokens: [], jwt: undefined, required: false, trustProxy: false, creditsPerDay: undefined, maxRateShare: 0.5 });
    expect(c.callers.periodMs).toBe(86_400_000);
    expect(c.cors.origins).toBeUndefined();
  });

  it('CALLER_TOKENS: id:sha256hex[:creditsPerDay]; anonymous quota defaults to CALLER_CREDITS_PER_DAY', () => {
    const c = loadConfig({
      CALLER_TOKENS: ` ops:${HASH}:500 , bi:${HASH.toUpperCase()}`,
      CALLER_CREDITS_PER_DAY: '100',
      CORS_ORIGINS: 'https://a.example/, https://b.example',
    });
    expect(c.callers.tokens).toEqual([
      { id: 'ops', sha256: HASH, creditsPerDay: 500 },
      { id: 'bi', sha256: HASH, creditsPerDay: undefined },
    ]);
    expect(c.callers.anonymousCreditsPerDay).toBe(100);
    expect(c.cors.origins).toEqual(['https://a.example', 'https://b.example']);
    expect(loadConfig({ CALLER_CREDITS_PER_DAY: '100', ANONYMOUS_CREDITS_PER_DAY: '0' }).callers.anonymousCreditsPerDay).toBe(0);
  });

  it('every malformed entry is reported by position, never by its text', () => {
    const p = configProblems({ CALLER_TOKENS: `ok:${HASH},short:abc,${HASH},dup:${HASH},dup:${HASH},q:${HASH}:-1`, CALLER_MAX_RATE_SHARE: '0' });
    expect(p.filter((x) => x.startsWith('CALLER_TOKENS'))).toHaveLength(4);
    expect(p.join('\n')).toContain('entry 5 repeats the id dup');
    expect(p.join('\n')).not.toContain('abc');
    expect(p.some((x) => x.startsWith('CALLER_MAX_RATE_SHARE'))).toBe(true);
  });

  it('CORS_ORIGINS entries must be origins', () => {
    expect(configProblems({ CORS_ORIGINS: 'https://ok.example:8443,dash.example.com' })).toEqual([
      expect.stringContaining('dash.example.com is not an origin'),
    ]);
  });

  it('AUTH_REQUIRED without a way to identify callers is a configuration error', () => {
    expect(configProblems({ AUTH_REQUIRED: 'true' })).toEqual([expect.stringContaining('AUTH_REQUIRED')]);
    expect(configProblems({ AUTH_REQUIRED: 'true', AUTH_JWKS_URL: 'https://id.example/jwks.json' })).toEqual([]);
  });
});

describe('client address', () => {
  const req = (remoteAddress: string) => ({ req: { socket: { remoteAddress } } });
  it('behind a trusted proxy: the last X-Forwarded-For entry (the nearest proxy’s); a bad one falls back to the peer', () => {
    const h = new Headers({ 'x-forwarded-for': '1.1.1.1, 203.0.113.5' });
    expect(clientAddress(h, req('10.0.0.2'), true)).toBe('203.0.113.5');
    expect(clientAddress(new Headers({ 'x-forwarded-for': '1.1.1.1, evil' }), req('10.0.0.2'), true)).toBe('10.0.0.2');
  });
  it('untrusted: the socket peer, X-Forwarded-For ignored; IPv4-mapped IPv6 is the IPv4 address', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '1.1.1.1' }), req('::ffff:10.0.0.2'), false)).toBe('10.0.0.2');
    expect(clientAddress(new Headers(), undefined, false)).toBeUndefined();
  });
  it('an IPv6 client is its /64: the addresses of one site are one caller', () => {
    const at = (ip: string) => clientAddress(new Headers({ 'x-forwarded-for': ip }), undefined, true);
    expect(at('2001:db8:0:12::1')).toBe('2001:db8:0:12::/64');
    expect(at('2001:0DB8:0000:0012:ffff:1:2:3')).toBe('2001:db8:0:12::/64');
    expect(at('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(at('::1')).toBe('0:0:0:0::/64');
  });
});

describe('per-caller metrics', () => {
  it('label cardinality is bounded: token ids named, JWT callers up to the bound, then other; addresses never', async () => {
    const registry = new Registry();
    const m = createCallerMetrics(registry, ['ops']);
    const c = (id: string, kind: Caller['kind']): Caller => ({ id, kind, creditsPerPeriod: null, key: callerKey(id) });
    for (let i = 0; i < MAX_CALLER_METRIC_LABELS + 30; i++) m.record(c(`user-${i}`, 'jwt'), 1, 1);
    m.record(c('ops', 'token'), 5, 1);
    m.record(c('anonymous:198.51.100.4', 'anonymous'), 2, 1);
    const text = await registry.metrics();
    const labels = new Set([...text.matchAll(/jobspikr_caller_credits_total\{caller="([^"]+)"\}/g)].map((x) => x[1]));
    expect(labels.size).toBe(MAX_CALLER_METRIC_LABELS + 3);
    expect(text).toContain('jobspikr_caller_credits_total{caller="other"} 30');
    expect(text).toContain('jobspikr_caller_credits_total{caller="ops"} 5');
    expect(text).toContain('jobspikr_caller_credits_total{caller="anonymous"} 2');
    expect(text).not.toContain('198.51.100.4');
  });
});
