import { createRequire } from 'node:module';
import type { XMLParser } from 'fast-xml-parser';

// Elements that are lists in the JSON shape; XML repeats them (CONTRACT §5, last rule).
const LISTS = new Set(['job', 'inferred_skills', 'aggregations', 'buckets']);

let parser: XMLParser | undefined;

/** Loaded on the first XML answer (JSON is the norm): start-up does not pay for the parser. */
function xmlParser(): XMLParser {
  if (parser) return parser;
  const { XMLParser: Parser } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
  parser = new Parser({
    ignoreAttributes: true,
    // Keep every value as text: a numeric-looking uniq_id must not turn into a number.
    parseTagValue: false,
    trimValues: true,
    isArray: (name) => LISTS.has(name),
  });
  return parser;
}

/** An XML body in the JSON shape: `<response>` becomes the envelope, `job_data/job` its list. */
export function xmlToEnvelope(xml: string): unknown {
  const doc: unknown = xmlParser().parse(xml, true);
  if (!doc || typeof doc !== 'object' || !('response' in doc)) throw new Error('XML without <response>');
  const root = (doc as { response: unknown }).response;
  if (!root || typeof root !== 'object') throw new Error('empty <response>');
  const out: Record<string, unknown> = { ...(root as Record<string, unknown>) };
  const data = out.job_data;
  if (data && typeof data === 'object' && 'job' in data) out.job_data = (data as { job: unknown }).job;
  return out;
}
