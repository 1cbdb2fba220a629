import { type Bits, type JobIndex, and, andNot, or, toNumber } from './job-index.js';
import { matchQueryString } from './lucene-query.js';
import { QueryError } from './query-error.js';
import { type RangeBounds, matchRange } from './range.js';

/** Most values a `terms` clause takes (contract §2: "up to 100 ids a request"). */
export const MAX_TERMS = 100;

const BOOL_KEYS = new Set(['must', 'should', 'must_not']);
const RANGE_KEYS = new Set(['gte', 'gt', 'lte', 'lt']);

/**
 * Evaluates a `search_query_json` clause (contract §2) to the set of matching records; anything outside
 * the contract's subset throws a QueryError naming where it is (answered 400).
 */
export function evaluateQuery(index: JobIndex, clause: unknown, where = 'search_query_json'): Bits {
  if (!isObject(clause)) throw new QueryError(`${where} must be an object`);
  const keys = Object.keys(clause);
  const kind = keys[0];
  if (keys.length !== 1 || kind === undefined) throw new QueryError(`${where} must hold exactly one clause`);
  const body = clause[kind];
  const at = `${where}.${kind}`;
  switch (kind) {
    case 'bool':
      return evaluateBool(index, body, at);
    case 'query_string':
      return evaluateQueryString(index, body, at);
    case 'range':
      return evaluateRange(index, body, at);
    case 'exists':
      if (!isObject(body) || typeof body.field !== 'string' || Object.keys(body).length !== 1) {
        throw new QueryError(`${at} must be {"field": <name>}`);
      }
      return index.exists(body.field);
    case 'terms':
      return evaluateTerms(index, body, at);
    default:
      throw new QueryError(`${where}: unsupported clause "${kind}"`);
  }
}

function evaluateBool(index: JobIndex, body: unknown, at: string): Bits {
  if (!isObject(body)) throw new QueryError(`${at} must be an object`);
  const list = (key: string): unknown[] => {
    const value = body[key];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  for (const key of Object.keys(body)) {
    if (!BOOL_KEYS.has(key)) throw new QueryError(`${at}: unsupported key "${key}" (use must, should, must_not)`);
  }
  const must = list('must');
  const should = list('should');
  let result = index.all();
  must.forEach((c, i) => {
    result = and(result, evaluateQuery(index, c, `${at}.must[${i}]`));
  });
  list('must_not').forEach((c, i) => {
    result = andNot(result, evaluateQuery(index, c, `${at}.must_not[${i}]`));
  });
  // Elasticsearch: with a `must`, `should` clauses only score; without one, at least one must match.
  const any = should.reduce<Bits>((acc, c, i) => or(acc, evaluateQuery(index, c, `${at}.should[${i}]`)), index.none());
  return must.length === 0 && should.length > 0 ? and(result, any) : result;
}

function evaluateQueryString(index: JobIndex, body: unknown, at: string): Bits {
  if (!isObject(body) || typeof body.query !== 'string') throw new QueryError(`${at}.query must be a string`);
  for (const key of Object.keys(body)) {
    if (key !== 'query' && key !== 'default_field' && key !== 'fields') throw new QueryError(`${at}: unsupported key "${key}"`);
  }
  if (body.default_field !== undefined && body.fields !== undefined) throw new QueryError(`${at}: give default_field or fields, not both`);
  let fields: string[] | null = null;
  if (body.default_field !== undefined) {
    if (typeof body.default_field !== 'string' || body.default_field === '') throw new QueryError(`${at}.default_field must be a field name`);
    fields = [body.default_field];
  } else if (body.fields !== undefined) {
    const list = body.fields;
    if (!Array.isArray(list) || list.length === 0 || !list.every((f): f is string => typeof f === 'string' && f !== '')) {
      throw new QueryError(`${at}.fields must be a non-empty array of field names`);
    }
    fields = list.map((f) => f.replace(/\^[\d.]+$/, '')); // boosts only affect scoring
  }
  return matchQueryString(index, body.query, fields, at);
}

function evaluateRange(index: JobIndex, body: unknown, at: string): Bits {
  const [field, spec] = single(body, at);
  if (!isObject(spec)) throw new QueryError(`${at}.${field} must be an object of gte/gt/lte/lt`);
  for (const key of Object.keys(spec)) {
    if (!RANGE_KEYS.has(key)) throw new QueryError(`${at}.${field}: unsupported key "${key}"`);
  }
  for (const value of Object.values(spec)) {
    if (typeof value !== 'number' && typeof value !== 'string') throw new QueryError(`${at}.${field}: bounds must be numbers or date strings`);
  }
  const bounds: RangeBounds = { gte: spec.gte, gt: spec.gt, lte: spec.lte, lt: spec.lt };
  return matchRange(index, field, bounds, `${at}.${field}`);
}

/** Exact match on any value; booleans match their string forms and numbers their numeric strings. */
function evaluateTerms(index: JobIndex, body: unknown, at: string): Bits {
  const [field, values] = single(body, at);
  if (!Array.isArray(values) || !values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
    throw new QueryError(`${at}.${field} must be an array of strings, numbers or booleans`);
  }
  if (values.length > MAX_TERMS) throw new QueryError(`${at}.${field}: at most ${MAX_TERMS} values`);
  const wanted = new Set(values.map(termKey));
  return index.matchValues(field, (value) => wanted.has(termKey(value)));
}

function termKey(value: unknown): string {
  if (typeof value === 'string' && value.length <= 15 && !Number.isNaN(toNumber(value))) return String(toNumber(value));
  return String(value);
}

function single(body: unknown, at: string): [string, unknown] {
  if (!isObject(body)) throw new QueryError(`${at} must be an object`);
  const entries = Object.entries(body);
  const entry = entries[0];
  if (entries.length !== 1 || entry === undefined) throw new QueryError(`${at} must name exactly one field`);
  return entry;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
