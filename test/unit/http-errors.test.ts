import { describe, expect, it } from 'vitest';
import { statusError, transportError, type UpstreamError } from '../../src/upstream/errors.js';

// Which upstream failures may be sent again. A production-key search is not repeatable: anything that
// may have followed a charge must not be re-sent for it; free endpoints and sandbox keys are repeatable.

const retry = (e: UpstreamError) => ({ code: e.code, retryable: e.retryable, hostFault: e.hostFault });

describe('statusError', () => {
  it.each([500, 502, 503])('%i: the host failed and delivered nothing, so even a paid search goes again', (status) => {
    expect(retry(statusError(status, undefined, false))).toEqual({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, hostFault: true });
  });

  it('504: the API behind the gateway may still deliver, so only repeatable calls go again', () => {
    expect(statusError(504, undefined, false).retryable).toBe(false);
    expect(statusError(504, undefined, true).retryable).toBe(true);
  });

  it('429 is retryable (refused before any work) and carries Retry-After in whole seconds', () => {
    expect(statusError(429, '7', false)).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 7, retryable: true, hostFault: false });
    expect(statusError(429, '0.2', false).retryAfter).toBe(1);
    expect(statusError(429, undefined, false).retryAfter).toBe(1);
    expect(statusError(429, 'soon', false).retryAfter).toBe(1);
    const at = new Date(Date.now() + 120_000).toUTCString();
    expect(statusError(429, at, false).retryAfter).toBeGreaterThanOrEqual(119);
  });

  it.each([
    [400, 'UPSTREAM_ERROR'],
    [401, 'UNAUTHENTICATED'],
    [403, 'UNAUTHENTICATED'],
    [402, 'CREDITS_EXHAUSTED'],
    [404, 'UPSTREAM_ERROR'],
  ] as const)('%i is final (%s), never a host fault', (status, code) => {
    expect(retry(statusError(status, undefined, true))).toEqual({ code, retryable: false, hostFault: false });
  });

  it('only a 401 is uncounted by the upstream (its slot of the rate budget is given back); 403, 429, 4xx and 5xx count', () => {
    expect(statusError(401, undefined, true).uncounted).toBe(true);
    for (const status of [400, 402, 403, 404, 429, 500, 503]) expect([status, statusError(status, undefined, true).uncounted]).toEqual([status, false]);
  });

  it('messages never carry the body or the URL', () => {
    expect(statusError(500, undefined, true).message).toBe('JobsPikr answered 500');
  });
});

describe('transportError', () => {
  it('a refused or unresolvable connection never reached JobsPikr: always retryable', () => {
    for (const e of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', syscall: 'connect' }),
      Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' }),
      Object.assign(new Error('x'), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }),
    ]) {
      const err = transportError(e, false);
      expect(retry(err)).toEqual({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, hostFault: true });
      expect(err.uncounted).toBe(true); // it never arrived, so the upstream did not count it
      expect(err.message).not.toMatch(/127\.0\.0\.1/);
    }
  });

  it('a reset or timeout after sending may follow a charge: retryable only when repeatable', () => {
    for (const code of ['UND_ERR_SOCKET', 'ECONNRESET', 'UND_ERR_HEADERS_TIMEOUT']) {
      const e = Object.assign(new Error('other side closed'), { code });
      expect(transportError(e, false).retryable).toBe(false);
      expect(transportError(e, true).retryable).toBe(true);
      expect(transportError(e, false).hostFault).toBe(true);
      expect(transportError(e, true).uncounted).toBe(false); // it may have arrived and counted
    }
  });

  it('our own mistakes (invalid header, no error code) are rethrown, not blamed on the host', () => {
    const invalid = Object.assign(new Error('invalid client_id header'), { code: 'UND_ERR_INVALID_ARG' });
    expect(() => transportError(invalid, true)).toThrow(invalid);
    const bug = new TypeError('x is not a function');
    expect(() => transportError(bug, true)).toThrow(bug);
  });
});
