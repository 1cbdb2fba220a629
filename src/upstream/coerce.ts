import { z } from 'zod';

// Coercions for the messy records of CONTRACT §2: placeholders, numbers and booleans as strings,
// `|`-joined lists. Each one turns anything into a clean value or null; none of them throws.
// The plain functions run on every field of every record bought (the hot path of a search); the
// zod `int` at the end serves the schemas that compose it (the envelope, aggregate buckets).

const PLACEHOLDERS = new Set(['', 'na', 'n/a', 'null', 'none', 'unspecified', 'not specified', 'undefined', '-']);
/** Longest placeholder; longer text (a description) is never one, so it is not lower-cased to check. */
const MAX_PLACEHOLDER = 13;

export function isPlaceholder(s: string): boolean {
  const t = s.trim();
  return t.length <= MAX_PLACEHOLDER && PLACEHOLDERS.has(t.toLowerCase());
}

export function toText(v: unknown): string | null {
  if (typeof v === 'string') {
    const s = v.trim();
    return s.length <= MAX_PLACEHOLDER && PLACEHOLDERS.has(s.toLowerCase()) ? null : s;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** A `|`-joined place value reads as a comma-separated list. */
export function toPlace(v: unknown): string | null {
  const s = toText(v);
  if (s === null) return null;
  if (!s.includes('|')) return s;
  const parts = s
    .split('|')
    .map((p) => p.trim())
    .filter((p) => !isPlaceholder(p));
  return parts.length ? parts.join(', ') : null;
}

const NUMERIC = /^[-+]?\d*\.?\d+(e[-+]?\d+)?$/i;

export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  let s = v.trim();
  if (s.includes(',')) s = s.replace(/,/g, '');
  if (!NUMERIC.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

export function toInt(v: unknown): number | null {
  const n = toNumber(v);
  return n === null ? null : Math.trunc(n);
}

export function toBool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : null;
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === 'yes' || s === '1' || s === 't' || s === 'y') return true;
  if (s === 'false' || s === 'no' || s === '0' || s === 'f' || s === 'n') return false;
  return null;
}

/** As Date.UTC would confirm it (which reads years 0-99 as 1900-1999, so those never match). */
function isRealDate(y: number, m: number, d: number): boolean {
  if (y < 100 || m < 1 || m > 12 || d < 1) return false;
  const days = m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  return d <= days;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** `YYYY-MM-DD` (a longer timestamp keeps its date part); anything else is null. */
export function toDate(v: unknown): string | null {
  const s = toText(v);
  const m = s === null ? null : DATE.exec(s);
  if (!m) return null;
  return isRealDate(Number(m[1]), Number(m[2]), Number(m[3])) ? m[0] : null;
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** `"YYYY-MM-DD HH:MM:SS +0000"` (or ISO) → ISO 8601 with offset; anything else is null. */
export function toDateTime(v: unknown): string | null {
  const s = toText(v);
  if (s === null) return null;
  const m = DATE_TIME.exec(s);
  if (!m || toDate(m[1]) === null) return null;
  const off = m[3] === undefined || m[3] === 'Z' ? '+00:00' : m[3].includes(':') ? m[3] : `${m[3].slice(0, 3)}:${m[3].slice(3)}`;
  const iso = `${m[1]}T${m[2]}${off}`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

/** An array or a `|`-joined string; XML repeats the element, and one element can itself be `|`-joined. */
export function toList(v: unknown): string[] {
  const items: unknown[] = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  const out: string[] = [];
  for (const item of items) {
    for (const part of typeof item === 'string' ? item.split('|') : [item]) {
      const s = toText(part);
      if (s !== null && !out.includes(s)) out.push(s);
    }
  }
  return out;
}

const CURSOR = /^\d{1,20}$/;

/** Digits of an opaque JobsPikr cursor (kept as text so no precision is lost). */
export function toCursor(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string') {
    const s = v.trim();
    if (CURSOR.test(s)) return s;
  }
  return null;
}

/**
 * An integer field of a zod schema (envelope counts, bucket counts). `.optional()` first: zod 4
 * refuses a missing object key unless the schema admits undefined, and such fields may be absent.
 */
export const int = z.unknown().optional().transform(toInt);
