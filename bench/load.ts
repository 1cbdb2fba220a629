// Load test: 50 concurrent clients for 30 s (BENCH_QUICK=1: 5 s) sending a seeded mix of valid,
// invalid and abusive (issue 8) requests to one server process over a sandbox with the contract's real limits.
// Pass: zero 5xx, zero socket errors, the process still alive and healthy; reports RSS before/after.
// Run: `npm run bench -- load` (or `npx tsx bench/load.ts`).
import autocannon from 'autocannon';
import { fileURLToPath } from 'node:url';
import { agent, gql } from './lib/http.js';
import { startPair } from './lib/proc.js';
import { saveResults } from './lib/results.js';
import { SEARCH, freshFloor, searchBody } from './scenarios/search.js';

const quick = process.env.BENCH_QUICK === '1';
const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 50);
const SECONDS = Number(process.env.LOAD_SECONDS ?? (quick ? 5 : 30));

interface Req {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** mulberry32: a tiny seeded PRNG, so every run sends the same mix. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const json = { 'content-type': 'application/json' };
const post = (body: string, headers: Record<string, string> = json): Req => ({ method: 'POST', path: '/graphql', headers, body });
const op = (query: string, variables?: Record<string, unknown>) => post(JSON.stringify({ query, variables }));

/** The request mix: [weight, name, builder]. Valid requests dominate, as in real traffic. */
export function mix(ids: string[], cursor: string, random: () => number, knownId = 'demo_jp_sandbox_0000000001'): [number, string, () => Req][] {
  const id = () => ids[Math.floor(random() * ids.length)] ?? '0'.repeat(32);
  const cachedSearch = searchBody(54_321.25);
  return [
    [20, 'cached search', () => post(cachedSearch)],
    [8, 'uncached search', () => post(searchBody(freshFloor()))],
    [10, 'job lookups', () => op(`{ a: job(uniqId: "${id()}") { title } b: job(uniqId: "${id()}") { title location { city } } }`)],
    [6, 'aggregate', () => op('{ aggregate(field: CATEGORY, groupBy: REMOTE) { key count buckets { key count } } }')],
    [
      4,
      'aggregate (new shapes)',
      () => op('query ($f: JobFilter) { aggregate(field: CITY, filter: $f) { key count } }', { f: { salary: { min: freshFloor() } } }),
    ],
    [4, 'apiUsage', () => op('{ apiUsage { sandbox creditsRemaining limits { endpoint remainingThisMinute } } }')],
    [
      4,
      'next page',
      () =>
        op(SEARCH.replace('first: 10)', 'first: 10, after: $after)').replace('($f: JobFilter!)', '($f: JobFilter!, $after: String)'), {
          f: { keywords: 'engineer', salary: { min: 54_321.25 } },
          after: cursor,
        }),
    ],
    [3, 'expired jobs', () => op('{ expiredJobs(from: "2025-01-01", to: "2025-12-31", first: 5) { totalCount nodes { uniqId expiredOn } } }')],
    [3, 'GET __typename', () => ({ method: 'GET', path: '/graphql?query=%7B__typename%7D', headers: { accept: 'application/json' } })],
    [3, 'syntax error', () => post('{"query":"{ jobs(filter: { keywords: "}')],
    [3, 'unknown field', () => op('{ jobs { nodes { salaryMaybe } } }')],
    [3, 'first: 1000', () => op('{ jobs(first: 1000) { nodes { uniqId } } }')],
    [3, 'forged cursor', () => op('{ jobs(first: 5, after: "not-a-cursor") { nodes { uniqId } } }')],
    [2, 'last/before', () => op('{ jobs(last: 5) { nodes { uniqId } } }')],
    [2, 'bad date', () => op('{ expiredJobs(from: "yesterday", to: "2025-13-45") { totalCount } }')],
    [2, 'alias bomb', () => op(`{ ${Array.from({ length: 60 }, (_, i) => `a${i}: __typename`).join(' ')} }`)],
    [
      2,
      'depth bomb',
      () =>
        op(
          `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } } }`,
        ),
    ],
    [2, 'oversized body', () => post(JSON.stringify({ query: `{ __typename } # ${'x'.repeat(120_000)}` }))],
    [2, 'malformed JSON', () => post('{"query": "{ __typename }"')],
    [2, 'wrong content type', () => post('{ __typename }', { 'content-type': 'text/plain' })],
    [2, 'batch over limit', () => post(JSON.stringify(Array.from({ length: 20 }, () => ({ query: '{ __typename }' }))))],
    [2, 'mutation', () => op('mutation { deleteEverything }')],
    [1, 'blank body', () => post(' ')], // autocannon cannot send a truly empty body (it hangs waiting)
    [1, 'wrong variable type', () => op('query ($n: Int) { jobs(first: $n) { totalCount } }', { n: 'ten' })],
    // Abusive mixes (issue 8): each must be refused cheaply, before anything leaves, or bounded.
    [2, 'aliased introspection', () => op(`{ ${Array.from({ length: 30 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }`)],
    [1, 'batched introspection', () => post(JSON.stringify(Array.from({ length: 10 }, () => ({ query: '{ __schema { types { name fields { name } } } }' }))))],
    [
      2,
      '25 distinct searches',
      () => op(`{ ${Array.from({ length: 25 }, (_, i) => `j${i}: jobs(first: 1, filter: { keywords: "k${i}-${freshFloor()}" }) { totalCount }`).join(' ')} }`),
    ],
    [
      2,
      '10 distinct counts',
      () =>
        op(
          `{ ${Array.from({ length: 10 }, (_, i) => `c${i}: aggregate(field: CITY, limit: ${i + 1}, filter: { salary: { min: ${freshFloor()} } }) { key count }`).join(' ')} }`,
        ),
    ],
    [
      1,
      'batch of searches',
      () =>
        post(
          JSON.stringify(
            Array.from({ length: 10 }, (_, i) => ({ query: `{ jobs(first: 100, filter: { keywords: "b${i}-${freshFloor()}" }) { totalCount } }` })),
          ),
        ),
    ],
    [1, 'x-max-credits raise', () => post(JSON.stringify({ query: '{ jobs(first: 100) { totalCount } }' }), { ...json, 'x-max-credits': '999999999' })],
    [
      1,
      '_entities flood',
      () =>
        op('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Job { uniqId } } }', {
          r: Array.from({ length: 150 }, () => ({ __typename: 'Job', uniqId: id() })),
        }),
    ],
    [
      1,
      '_entities malformed',
      () =>
        post(
          `{"query":"query ($r: [_Any!]!) { _entities(representations: $r) { ... on Job { uniqId } } }","variables":{"r":[{"__typename":"Job","uniqId":5},{"__typename":"Nope"},{"__proto__":{"x":1}}]}}`,
        ),
    ],
    [
      2,
      'wrong key, known id',
      () =>
        post(JSON.stringify({ query: `{ jobs(first: 1, filter: { keywords: "w${freshFloor()}" }) { totalCount } }` }), {
          ...json,
          client_id: knownId,
          client_auth_key: 'wrong-key',
        }),
    ],
    [
      2,
      'random client ids',
      () =>
        post(JSON.stringify({ query: '{ apiUsage { limits { endpoint } } job(uniqId: "0123456789abcdef0123456789abcdef") { uniqId } }' }), {
          ...json,
          client_id: `rnd_${Math.floor(random() * 1e12)}`,
          client_auth_key: 'k',
        }),
    ],
    [1, 'Host re-route', () => ({ ...post(JSON.stringify({ query: '{ __typename }' })), headers: { ...json, host: 'x/metrics?' } })],
  ];
}

export async function main(): Promise<void> {
  const pair = await startPair({ limits: 'contract' });
  try {
    // some ids and a real cursor for the valid part of the mix
    const first = await gql(pair.url, SEARCH, { f: { keywords: 'engineer', salary: { min: 54_321.25 } } });
    const jobs = first.body.data?.jobs as { pageInfo: { endCursor: string }; nodes: { uniqId: string }[] };
    const ids = jobs.nodes.map((n) => n.uniqId);
    const random = rng(7);
    const entries = mix(ids, jobs.pageInfo.endCursor, random);
    const total = entries.reduce((a, [w]) => a + w, 0);
    const sent: Record<string, number> = {};
    const pick = (): Req => {
      let r = random() * total;
      for (const [w, name, build] of entries) {
        r -= w;
        if (r <= 0) {
          sent[name] = (sent[name] ?? 0) + 1;
          return build();
        }
      }
      return post('{"query":"{ __typename }"}');
    };
    const statuses: Record<string, number> = {};
    const codes: Record<string, number> = {};
    const before = (await pair.app.send({ cmd: 'stats' })).process;
    console.log(`load: ${CLIENTS} clients for ${SECONDS} s against app pid ${pair.app.pid}; RSS before ${(before.rssBytes / 2 ** 20).toFixed(0)} MB`);
    const r = await autocannon({
      url: pair.url.replace(/\/graphql$/, ''),
      connections: CLIENTS,
      duration: SECONDS,
      timeout: 20,
      requests: [
        {
          setupRequest: (req) => ({ ...req, ...pick() }),
          onResponse: (status, body) => {
            statuses[status] = (statuses[status] ?? 0) + 1;
            for (const m of body.matchAll(/"code":"([A-Z_]+)"/g)) codes[m[1] as string] = (codes[m[1] as string] ?? 0) + 1;
          },
        },
      ],
    });
    const after = (await pair.app.send({ cmd: 'stats' })).process;
    const health = await fetch(pair.url.replace(/\/graphql$/, '/healthz'));
    const upstream = (await pair.sandbox.send({ cmd: 'stats' })).upstream;
    const result = {
      at: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      clients: CLIENTS,
      seconds: SECONDS,
      requests: r.requests.total,
      rps: r.requests.average,
      latencyP50Ms: r.latency.p50,
      latencyP99Ms: r.latency.p99,
      status5xx: r['5xx'],
      socketErrors: r.errors,
      timeouts: r.timeouts,
      statuses,
      errorCodes: codes,
      sent,
      upstream,
      rssBeforeMb: Math.round(before.rssBytes / 2 ** 20),
      rssAfterMb: Math.round(after.rssBytes / 2 ** 20),
      cpuSeconds: (after.cpuUserUs - before.cpuUserUs + after.cpuSystemUs - before.cpuSystemUs) / 1e6,
      healthyAfter: health.status === 200,
    };
    const pass = result.status5xx === 0 && result.socketErrors === 0 && result.healthyAfter && (upstream?.statuses['429'] ?? 0) === 0;
    console.log(JSON.stringify(result, null, 2));
    console.log(
      `load: ${pass ? 'PASS' : 'FAIL'}: ${result.requests} requests, ${result.status5xx} 5xx, ${result.socketErrors} socket errors, ${result.timeouts} timeouts, upstream 429s ${upstream?.statuses['429'] ?? 0}, RSS ${result.rssBeforeMb} -> ${result.rssAfterMb} MB, healthy after: ${result.healthyAfter}`,
    );
    saveResults({ [quick ? 'loadQuick' : 'load']: { ...result, pass } });
    if (!pass) process.exitCode = 1;
  } finally {
    await pair.stop();
    await agent.close();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  void main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
