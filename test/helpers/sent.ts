import { z } from 'zod';
import type { RequestLogEntry, Sandbox } from '../../src/sandbox/server.js';

// What the server sent upstream, read from the sandbox's request log. Objects stay loose: a key the
// server should not have sent is still there for the test's toEqual to see.

const DataBody = z.looseObject({ search_query_json: z.unknown(), size: z.number() });
/** A POST /data body (CONTRACT §3). */
export type DataBody = z.infer<typeof DataBody>;

/** The /data bodies the sandbox received, oldest first. */
export const dataBodies = (sandbox: Sandbox): DataBody[] => sandbox.log.filter((e) => e.endpoint === 'data').map((e) => DataBody.parse(e.body));

const Params = z.record(z.string(), z.string());

/** The query parameters of the requests to a GET endpoint (/expired_jobs, /aggregate_data), oldest first. */
export const queryParams = (sandbox: Sandbox, endpoint: RequestLogEntry['endpoint']): Record<string, string>[] =>
  sandbox.log.filter((e) => e.endpoint === endpoint).map((e) => Params.parse(e.body));

const BoolQuery = z.looseObject({ bool: z.looseObject({ must: z.array(z.unknown()), must_not: z.array(z.unknown()).optional() }) });

/** A search's search_query_json: one bool query. */
export const boolQuery = (body: DataBody | undefined) => BoolQuery.parse(body?.search_query_json);

const Lookup = z.looseObject({ terms: z.looseObject({ uniq_id: z.array(z.string()).optional() }).optional() });

/** The uniq_ids a lookup's search_query_json asks for (none for a search), sorted. */
export const lookedUp = (body: DataBody): string[] => [...(Lookup.parse(body.search_query_json).terms?.uniq_id ?? [])].sort();
