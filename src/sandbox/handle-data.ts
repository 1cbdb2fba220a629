import { type Account, SANDBOX_CREDITS } from './account.js';
import { nextCursorOf, pageStart } from './paging.js';
import { ParamError, parseCursor, parseFormat, parseSize } from './params.js';
import { isObject } from './query.js';
import { NO_DATA, type Reply, errorReply, jsonReply, okReply } from './reply.js';
import type { Dataset, JobStore } from './store.js';

/** Most records one /data page holds (contract §2). */
export const MAX_DATA_SIZE = 100;
const DEFAULT_SIZE = 10;
const DATASETS: readonly Dataset[] = ['job_board', 'f500'];

export type ParsedBody = { valid: true; value: unknown } | { valid: false };

/**
 * POST /v2/data: validate, search (cached), page by cursor, charge production credits (402 when none are
 * left, otherwise the page is cut to what is affordable) and remember what the client received.
 * Throws ParamError / QueryError for 400s.
 */
export function handleData(store: JobStore, account: Account, parsed: ParsedBody): Reply {
  if (!parsed.valid) throw new ParamError('Request body is not valid JSON');
  const body = parsed.value;
  if (!isObject(body)) throw new ParamError('Request body must be a JSON object');
  if (body.search_query_json === undefined) throw new ParamError('search_query_json is required');
  if (!isObject(body.search_query_json)) throw new ParamError('search_query_json must be an object');
  const size = parseSize(body.size, MAX_DATA_SIZE, DEFAULT_SIZE);
  const cursor = parseCursor(body.cursor);
  const format = parseFormat(body.format);
  const datasets = parseDatasets(body.dataset);
  if (body.exclude_duplicates !== undefined && typeof body.exclude_duplicates !== 'boolean') {
    throw new ParamError('exclude_duplicates must be a boolean');
  }
  const hits = store.search(body.search_query_json, { datasets, excludeDuplicates: body.exclude_duplicates === true });
  const start = pageStart(hits, store.cursors, cursor);
  let length = Math.min(size, hits.length - start);
  if (length <= 0) return okReply(format, { ...NO_DATA });
  const production = account.kind === 'production';
  if (production) {
    if (account.credits <= 0) return errorReply(402, 'Job credits exhausted');
    length = Math.min(length, account.credits);
    account.credits -= length;
  }
  const items = hits.subarray(start, start + length);
  for (const i of items) account.consumed.add(i);
  const envelope = {
    status: 'success',
    message: 'Data present.',
    total_count: hits.length,
    size: length,
    job_credit_remaining: production ? account.credits : SANDBOX_CREDITS,
    next_cursor: nextCursorOf(hits, store.cursors, start, length),
  };
  if (format === 'xml') return okReply('xml', { ...envelope, job_data: Array.from(items, (i) => store.jobs[i]) }, length);
  // Splice pre-serialised records into the envelope: most of the body is records, serialised once each.
  const head = JSON.stringify(envelope).slice(0, -1);
  const records = Array.from(items, (i) => store.recordJson(i)).join(',');
  return { ...jsonReply(200, null, length), body: `${head},"job_data":[${records}]}` };
}

function parseDatasets(value: unknown): Set<Dataset> {
  if (value === undefined) return new Set(DATASETS);
  if (!Array.isArray(value) || value.length === 0 || !value.every((v): v is Dataset => v === 'job_board' || v === 'f500')) {
    throw new ParamError('dataset must be a non-empty array of "job_board" and/or "f500"');
  }
  return new Set(value);
}
