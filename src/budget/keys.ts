import { hash } from 'node:crypto';

/** JSON with object keys sorted, so equal requests give equal text whatever their key order. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + stableJson(v[i]);
    return `${out}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${stableJson(x)}`;
    first = false;
  }
  return `${out}}`;
}

/** A short digest of a normalised request: the part of a cache key that names the data. */
// crypto.hash: one call, no Hash object (about 2.5x cheaper than createHash for a key this short).
export const digest = (v: unknown): string => hash('sha256', stableJson(v), 'base64url').slice(0, 27);
