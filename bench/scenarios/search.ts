import type { Pair } from '../lib/proc.js';
import { gql } from '../lib/http.js';

/** A typical result-list search. */
export const SEARCH = `query Search($f: JobFilter!) {
  jobs(filter: $f, first: 10) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { uniqId title companyName postDate location { city state country } salary { from to currency } skills }
  }
}`;

let counter = 0;
/**
 * A salary floor no request has used before, so the search is never cached; the tiny step keeps the
 * upstream's result set (and its work) the same from one request to the next.
 */
export const freshFloor = (): number => 50_000 + ++counter / 1000;

export const searchBody = (floor: number): string => JSON.stringify({ query: SEARCH, variables: { f: { keywords: 'engineer', salary: { min: floor } } } });

export interface SearchBodies {
  uncachedGql: () => string;
  cachedGql: () => string;
  typename: () => string;
  /** the exact upstream request the app sends for an uncached search, with a fresh floor each time */
  uncachedRest: () => string;
  /** that upstream body with `@FLOOR@` where the salary floor goes (for the floor process, bench/floor.ts) */
  restTemplate: string;
}

/** Learn the upstream body the app sends (from the sandbox's log) and build all four request kinds. */
export async function searchBodies(pair: Pair): Promise<SearchBodies> {
  const marker = 54_321.25;
  const r = await gql(pair.url, SEARCH, { f: { keywords: 'engineer', salary: { min: marker } } });
  if (r.body.errors) throw new Error(`search failed: ${JSON.stringify(r.body.errors)}`);
  const reply = await pair.sandbox.send({ cmd: 'lastBodies', n: 1 });
  const template = JSON.stringify(reply.bodies?.[0]);
  if (!template.includes(String(marker))) throw new Error(`cannot find the salary floor in the upstream body ${template}`);
  const [before, after] = template.split(String(marker)) as [string, string];
  const cachedFloor = freshFloor();
  const cached = searchBody(cachedFloor);
  await gql(pair.url, SEARCH, { f: { keywords: 'engineer', salary: { min: cachedFloor } } });
  return {
    uncachedGql: () => searchBody(freshFloor()),
    cachedGql: () => cached,
    typename: () => '{"query":"{ __typename }"}',
    uncachedRest: () => `${before}${freshFloor()}${after}`,
    restTemplate: `${before}@FLOOR@${after}`,
  };
}
