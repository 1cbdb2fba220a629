// Jobs by uniq_id (JobsService.lookup): the record cache, one upstream `terms` call for the rest,
// stale records when that call fails. Apart from the service so the per-id bookkeeping reads alone.
import type { AppError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { clientHash } from '../upstream/credentials.js';
import type { JobRecord } from '../upstream/records.js';
import type { Held, TieredCache } from './cache.js';
import { digest } from './keys.js';
import type { ReadThrough } from './read-through.js';
import type { Call } from './read-types.js';
import type { LookupQuery } from './service-types.js';
import { staleReason, type StaleReason } from './stale.js';

export interface LookupDeps {
  cache: TieredCache;
  metrics: Metrics;
  reads: ReadThrough;
  /** The upstream call for these (sorted, distinct) ids; it notes the credits and fills the record cache. */
  call: (sorted: string[]) => Call<JobRecord[]>;
  /**
   * Settles when the operation's searches in flight have (undefined: none). Root fields run in parallel:
   * a page being bought next to this lookup may hold some of its ids, which are then read, not bought.
   */
  searchesFirst?: () => Promise<void> | undefined;
}

/**
 * Jobs by uniq_id: the record cache first, then (after the operation's searches in flight) one upstream
 * `terms` call for the rest. When that call fails for a reason stale data may answer, records held past
 * their lifetime answer; an id with none gets the call's error (its own, not the whole batch's).
 */
export async function lookupRecords(d: LookupDeps, q: LookupQuery): Promise<Map<string, JobRecord | AppError>> {
  const { ids, op } = q;
  const found = new Map<string, JobRecord | AppError>();
  const ch = clientHash(op.credentials);
  const trusted = await d.reads.keys.has(op.credentials);
  const stale = new Map<string, Held<JobRecord>>();
  if (trusted) {
    const now = Date.now();
    const keys = ids.map((id) => `record:${ch}:${id}`);
    const held = await d.cache.entries<JobRecord>(keys);
    held.forEach((h, i) => {
      const id = ids[i] ?? h?.value.uniqId;
      if (!h || id === undefined) return;
      if (now < h.freshUntil) {
        // A duplicate id reads one entry: counted once, as the metrics count it.
        if (!found.has(id)) op.usage.servedFromCache({ cache: 'record', key: keys[i] ?? `record:${ch}:${id}`, entry: h, hits: 1, saved: 1 });
        found.set(id, h.value);
      } else if (op.usage.stale.accepts(h.storedAt, now)) stale.set(id, h);
    });
    if (found.size) d.metrics.cacheLookups.inc({ cache: 'record', result: 'hit' }, found.size);
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length === 0) return found;
  const searches = d.searchesFirst?.();
  if (searches) {
    await searches;
    const rest = await lookupRecords({ ...d, searchesFirst: undefined }, { ...q, ids: missing });
    for (const [id, v] of rest) found.set(id, v);
    return found;
  }
  d.metrics.cacheLookups.inc({ cache: 'record', result: 'miss' }, missing.length);
  op.usage.lookups.miss += missing.length;
  op.usage.notRemembered();
  const sorted = [...new Set(missing)].sort();
  const answerStale = (reason: StaleReason, error?: AppError) => {
    for (const id of missing) {
      const h = stale.get(id);
      if (h) found.set(id, d.reads.serveStale(op, 'record', h, reason));
      else if (error) found.set(id, error);
    }
    return found;
  };
  // Both circuits open and every id held: answer at once (with an id missing, the call fails fast by itself).
  if (missing.every((id) => stale.has(id)) && !d.reads.upstreamAvailable) return answerStale('UPSTREAM_UNAVAILABLE');
  let records: JobRecord[];
  try {
    records = await d.reads.fetch({
      key: `lookup:${ch}:${digest(sorted)}`,
      op,
      trusted,
      kind: 'lookup',
      call: d.call(sorted),
    });
  } catch (e) {
    const reason = staleReason(e);
    if (stale.size === 0 || !reason || op.signal?.aborted) throw e;
    return answerStale(reason, e as AppError);
  }
  const wanted = new Set(missing);
  for (const r of records) if (wanted.has(r.uniqId)) found.set(r.uniqId, r);
  return found;
}
