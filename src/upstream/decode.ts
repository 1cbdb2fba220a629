import { EnvelopeSchema, type Envelope } from './envelope.js';
import { UpstreamError } from './errors.js';
import { xmlToEnvelope } from './xml.js';

/**
 * JSON.parse rounds integers past 2^53; `next_cursor` goes back to JobsPikr digit for digit, so a long
 * one is taken from the text itself.
 */
function withExactCursor(doc: unknown, text: string): unknown {
  if (typeof doc !== 'object' || doc === null || typeof (doc as { next_cursor?: unknown }).next_cursor !== 'number') return doc;
  if (Number.isSafeInteger((doc as { next_cursor: number }).next_cursor)) return doc;
  const digits = /"next_cursor"\s*:\s*(\d+)/.exec(text)?.[1];
  return digits ? { ...doc, next_cursor: digits } : doc;
}

/** Body text → envelope; HTML pages, truncated JSON and wrong types are UPSTREAM_ERROR. */
export function decode(text: string, contentType: string): Envelope {
  let doc: unknown;
  try {
    if (/xml/i.test(contentType)) doc = xmlToEnvelope(text);
    else if (/json/i.test(contentType) || /^\s*[[{]/.test(text)) doc = withExactCursor(JSON.parse(text), text);
    else throw new Error('not JSON');
  } catch {
    throw new UpstreamError('UPSTREAM_ERROR', 'JobsPikr sent a response that could not be read', { hostFault: true });
  }
  const parsed = EnvelopeSchema.safeParse(doc);
  if (!parsed.success) throw new UpstreamError('UPSTREAM_ERROR', 'JobsPikr sent a response of an unexpected shape', { hostFault: true });
  if (parsed.data.status === 'error') throw new UpstreamError('UPSTREAM_ERROR', 'JobsPikr reported an error');
  return parsed.data;
}
