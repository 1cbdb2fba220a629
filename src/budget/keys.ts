import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal requests give equal text whatever their key order. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A short digest of a normalised request: the part of a cache key that names the data. */
export const digest = (v: unknown): string => createHash('sha256').update(stableJson(v)).digest('base64url').slice(0, 27);
