import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { TieredCache } from '../../src/budget/cache.js';
import { OperationUsage } from '../../src/budget/usage.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { AnswerCache } from '../../src/plugins/answer-cache.js';

const keys = { clientId: 'acme_prod_0000000001', authKey: 'k', scheme: 'headers' as const };
const PAGE = parse('query P($c: String) { jobs(filter: { city: $c }) { nodes { uniqId } } }');

function setup(maxBytes = 1_000_000) {
  const cache = new TieredCache({ maxBytes: 1_000_000, prefix: '', logger: createLogger('silent') });
  const answers = new AnswerCache({ cache, metrics: createMetrics(), maxBytes });
  /** An operation's usage after it read `key` from the cache, as read-through.ts notes a hit. */
  const readFrom = async (key: string): Promise<OperationUsage> => {
    const u = new OperationUsage(keys);
    const entry = await cache.entry(key);
    if (!entry) throw new Error(`nothing under ${key}`);
    u.servedFromCache({ cache: 'search', key, entry, hits: 1, saved: 3 });
    return u;
  };
  return { cache, answers, readFrom };
}

describe('AnswerCache', () => {
  it('serves an answer while the cache holds the very entries it was read from, and not once one is replaced', async () => {
    const { cache, answers, readFrom } = setup();
    await cache.set('page', { records: [1, 2, 3] }, 60_000);
    const key = answers.keyOf(PAGE, 'P', { c: 'Austin' }, keys) ?? '';
    answers.remember(key, { data: { jobs: { nodes: [] } } }, await readFrom('page'));
    expect(answers.get(key)?.data).toEqual({ jobs: { nodes: [] } });
    // The same value stored again is another entry: the answer made from the old one is gone.
    await cache.set('page', { records: [1, 2, 3] }, 60_000);
    expect(answers.get(key)).toBeUndefined();
  });

  it('replays the reads for the request it answers: lookups and credits saved as the cache counted them', async () => {
    const { cache, answers, readFrom } = setup();
    await cache.set('page', 'x', 60_000);
    const key = answers.keyOf(PAGE, 'P', {}, keys) ?? '';
    answers.remember(key, { data: { jobs: null } }, await readFrom('page'));
    const a = answers.get(key);
    if (!a) throw new Error('not remembered');
    const u = new OperationUsage(keys);
    answers.replay(a, u);
    expect(u.lookups.hit).toBe(1);
    expect(u.creditsSavedByCache).toBe(3);
  });

  it('remembers nothing that was not answered wholly from fresh cache entries, nor answers with errors', async () => {
    const { cache, answers, readFrom } = setup();
    await cache.set('page', 'x', 60_000);
    const key = answers.keyOf(PAGE, 'P', {}, keys) ?? '';
    const called = await readFrom('page');
    called.upstreamCalls = 1;
    answers.remember(key, { data: {} }, called);
    const missed = await readFrom('page');
    missed.notRemembered();
    answers.remember(key, { data: {} }, missed);
    answers.remember(key, { data: {}, errors: [new Error('x')] }, await readFrom('page'));
    answers.remember(key, { data: {} }, new OperationUsage(keys));
    expect(answers.get(key)).toBeUndefined();
  });

  it('keys by document, variables and key pair; only queries whose root fields are all remembered ones', () => {
    const { answers } = setup();
    const k = (doc: string, vars: Record<string, unknown> = {}, pair = keys) => answers.keyOf(parse(doc), undefined, vars, pair);
    const a = answers.keyOf(PAGE, 'P', { c: 'Austin' }, keys);
    expect(a).toBeDefined();
    expect(answers.keyOf(PAGE, 'P', { c: 'Boston' }, keys)).not.toBe(a);
    expect(answers.keyOf(PAGE, 'P', { c: 'Austin' }, { ...keys, authKey: 'other' })).not.toBe(a);
    expect(a).not.toContain(keys.authKey);
    expect(k('{ job(uniqId: "x") { title } __typename }')).toBeDefined();
    expect(k('{ ...F } fragment F on Query { jobs { nodes { uniqId } } }')).toBeDefined();
    expect(k('{ ...F } fragment F on Query { apiUsage { creditsRemaining } }')).toBeUndefined();
    expect(k('{ ... on Query { aggregate(field: JOB_BOARD) { key } } }')).toBeUndefined();
    expect(k('{ jobs { nodes { uniqId } } expiredJobs { nodes { uniqId } } }')).toBeUndefined();
    expect(k('subscription { jobPosted { uniqId } }')).toBeUndefined();
    expect(k('query ($n: Float) { jobs(first: 1) { totalCount } }', { n: Number.POSITIVE_INFINITY })).toBeUndefined();
  });

  it('writes a remembered answer as JSON.stringify writes the whole response, its data printed once', async () => {
    const { cache, answers, readFrom } = setup();
    await cache.set('page', 'x', 60_000);
    const key = answers.keyOf(PAGE, 'P', {}, keys) ?? '';
    const data = { jobs: { nodes: [{ uniqId: 'a"b', title: 'é\u2028' }] } };
    answers.remember(key, { data }, await readFrom('page'));
    const a = answers.get(key);
    if (!a) throw new Error('not remembered');
    for (const r of [{ data }, { data, extensions: { jobspikr: { creditsCharged: 0 } } }, { data: { other: 1 } }]) {
      expect(a.stringify(r)).toBe(JSON.stringify(r));
    }
  });

  it('keeps no answer bigger than a sixteenth of ANSWER_CACHE_MAX_BYTES', async () => {
    const { cache, answers, readFrom } = setup(16_000);
    await cache.set('page', 'x', 60_000);
    const key = answers.keyOf(PAGE, 'P', {}, keys) ?? '';
    answers.remember(key, { data: { text: 'x'.repeat(1_000) } }, await readFrom('page'));
    expect(answers.get(key)).toBeUndefined();
    answers.remember(key, { data: { text: 'x'.repeat(100) } }, await readFrom('page'));
    expect(answers.get(key)).toBeDefined();
    expect(answers.bytes).toBeLessThanOrEqual(1_000);
  });
});
