import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../metrics.js';
import { operationKey, selectedOperation } from './operation-estimate.js';
import type { Credentials } from '../upstream/credentials.js';
import { keyHash } from '../upstream/credentials.js';
import { approxBytes, type TieredCache } from '../budget/cache.js';
import type { CacheRead, OperationUsage } from '../budget/usage.js';

/**
 * Root fields whose answers are made only of search pages and job records read from the cache (each
 * read is noted in the operation's usage). Counts, expired lists and the usage fields are not: a
 * count or expired-list hit may start a refresh, and usage changes from one request to the next.
 */
const REMEMBERED_ROOT_FIELDS = new Set(['jobs', 'job', 'jobsByUniqIds', 'node', 'nodes', '__typename']);

/** One answer too big for this share of the cache is not kept: a few large pages must not push out the rest. */
const MAX_SHARE_PER_ANSWER = 1 / 16;

/**
 * A cache entry an answer was read from, held weakly: an answer must not keep alive an entry the
 * cache has let go (a large page behind a small answer), and an entry gone is one no longer held.
 */
interface AnswerRead {
  readonly cache: CacheRead['cache'];
  readonly key: string;
  readonly entry: WeakRef<CacheRead['entry']>;
  readonly hits: number;
  readonly saved: number;
}

/** What is kept of an answer: its data (shared read-only by every request it answers) and what it was read from. */
export interface Answer {
  readonly data: unknown;
  /**
   * Writes a response holding this answer's data: the data's JSON, printed when the answer was kept, is
   * spliced in and the rest (this request's extensions) written each time. Anything else is written as
   * execution would.
   */
  readonly stringify: (r: unknown) => string;
  /** The data's JSON (counted in the answer's size). */
  readonly json: string;
  readonly reads: readonly AnswerRead[];
}

/** The response writer of an answer whose data prints as `json`; `write` is the serialiser execution attached, or JSON.stringify. */
function answerWriter(data: unknown, json: string, write: (r: unknown) => string): (r: unknown) => string {
  return (r) => {
    if (typeof r !== 'object' || r === null || (r as { data?: unknown }).data !== data) return write(r);
    const { data: _, ...rest } = r as Record<string, unknown>;
    const tail = write(rest);
    return tail === '{}' ? `{"data":${json}}` : `{"data":${json},${tail.slice(1)}`;
  };
}

type Done = { data?: unknown; errors?: readonly unknown[] | undefined; stringify?: (r: unknown) => string };

export interface AnswerCacheOptions {
  /** The cache the answers were read from: an answer stands while it holds every entry read, fresh. */
  cache: TieredCache;
  metrics: Metrics;
  /** ANSWER_CACHE_MAX_BYTES: estimated heap of the remembered answers in this process. */
  maxBytes: number;
}

/**
 * Whole answers of operations served wholly from fresh cache entries, so that asking the same again
 * (one document, the same variables, the same key pair) skips execution: no filter normalised, no
 * cache key built, no complexity walked, no records copied into a response again. An answer is a
 * view of its entries and never outlives them: it is served only while the cache still holds every
 * entry it was read from, the same objects and fresh, so a replaced, evicted or expired entry ends
 * it, as does a key pair the upstream no longer accepts (checked by the caller, as the cache does).
 * What it did is done again for the request it answers (lookups and credits saved, the metrics), and
 * the per-request parts of a response (the usage report, quotas, headers) are made by their plugins
 * as for any answer. In this process only: it derives from the shared cache and costs nothing to rebuild.
 */
export class AnswerCache {
  private readonly answers: LRUCache<string, Answer>;
  private readonly documents = new WeakMap<DocumentNode, number>();
  private readonly remembered = new WeakMap<OperationDefinitionNode, boolean>();
  private nextDocument = 1;

  constructor(private readonly o: AnswerCacheOptions) {
    this.answers = new LRUCache<string, Answer>({
      maxSize: Math.max(1, o.maxBytes),
      maxEntrySize: Math.max(1, Math.floor(o.maxBytes * MAX_SHARE_PER_ANSWER)),
      sizeCalculation: (a, key) => 64 + key.length * 2 + approxBytes(a.data) + 16 + a.json.length * 2 + 96 * a.reads.length,
    });
  }

  /**
   * The answer's key, or undefined when the operation is not one whose answers are remembered: a
   * root field outside REMEMBERED_ROOT_FIELDS, or variables that cannot be told apart by their JSON.
   */
  keyOf(
    doc: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | null | undefined,
    credentials: Credentials,
  ): string | undefined {
    const op = selectedOperation(doc, operationName);
    if (op?.operation !== 'query' || !this.remembers(doc, op)) return undefined;
    const vars = operationKey(doc, operationName, variables);
    if (vars === undefined) return undefined;
    let id = this.documents.get(doc);
    if (id === undefined) {
      id = this.nextDocument++;
      this.documents.set(doc, id);
    }
    // keyHash: the pair's digest, never the key itself.
    return `${id}\u0000${keyHash(credentials)}\u0000${vars}`;
  }

  /** The answer under `key` while every entry it was read from is still held fresh; a gone one ends it. */
  get(key: string): Answer | undefined {
    const a = this.answers.get(key);
    if (!a) {
      this.o.metrics.answerCache.inc({ result: 'miss' });
      return undefined;
    }
    const now = Date.now();
    for (const r of a.reads) {
      const entry = r.entry.deref();
      if (!entry || !this.o.cache.holds(r.key, entry, now)) {
        this.answers.delete(key);
        this.o.metrics.answerCache.inc({ result: 'miss' });
        return undefined;
      }
    }
    return a;
  }

  /** `a` answers a request: its reads are counted again for it, as the cache counted them the first time. */
  replay(a: Answer, usage: OperationUsage): void {
    this.o.metrics.answerCache.inc({ result: 'hit' });
    for (const r of a.reads) {
      usage.countHit(r.hits, r.saved);
      this.o.metrics.cacheLookups.inc({ cache: r.cache, result: 'hit' }, r.hits);
    }
  }

  /**
   * Keep `result` under `key` when the operation was answered wholly from fresh cache entries: no
   * upstream call, flight or stale data, no error, and at least one entry read.
   */
  remember(key: string, result: Done, usage: OperationUsage): void {
    const reads = usage.reads;
    if (!reads || reads.length === 0 || result.errors?.length || result.data == null) return;
    if (usage.upstreamCalls > 0 || usage.lookups.miss > 0 || usage.lookups.coalesced > 0 || usage.stale.worst()) return;
    const now = Date.now();
    let freshUntil = Number.POSITIVE_INFINITY;
    for (const r of reads) freshUntil = Math.min(freshUntil, r.entry.freshUntil);
    if (freshUntil <= now) return;
    const write = result.stringify ?? JSON.stringify;
    const json = write(result.data);
    const kept = reads.map((r) => ({ cache: r.cache, key: r.key, entry: new WeakRef(r.entry), hits: r.hits, saved: r.saved }));
    // Its lifetime is its stalest entry's: an answer nobody asks for again goes when its entries would.
    this.answers.set(key, { data: result.data, json, stringify: answerWriter(result.data, json, write), reads: kept }, { ttl: freshUntil - now });
    if (this.answers.has(key)) this.o.metrics.answerCache.inc({ result: 'stored' });
  }

  /** Estimated bytes of the answers held. */
  get bytes(): number {
    return this.answers.calculatedSize;
  }

  /** Whether every root field the operation selects (through fragments too) is one whose answer is remembered. */
  private remembers(doc: DocumentNode, op: OperationDefinitionNode): boolean {
    let known = this.remembered.get(op);
    if (known === undefined) {
      known = rootFieldsRemembered(doc, op.selectionSet, new Set());
      this.remembered.set(op, known);
    }
    return known;
  }
}

function rootFieldsRemembered(doc: DocumentNode, set: SelectionSetNode, seen: Set<string>): boolean {
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (!REMEMBERED_ROOT_FIELDS.has(sel.name.value)) return false;
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (!rootFieldsRemembered(doc, sel.selectionSet, seen)) return false;
    } else {
      const name = sel.name.value;
      if (seen.has(name)) continue;
      seen.add(name);
      const f = doc.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name);
      // A spread of a fragment the document lacks fails validation; never remember what did not run.
      if (!f || f.kind !== Kind.FRAGMENT_DEFINITION || !rootFieldsRemembered(doc, f.selectionSet, seen)) return false;
    }
  }
  return true;
}
