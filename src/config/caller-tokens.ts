import type { CallerToken } from '../callers/static-tokens.js';

/** `id:sha256hex[:creditsPerDay]`, comma-separated; every malformed entry is a problem (its position, never its text). */
export function parseCallerTokens(raw: string): { tokens: CallerToken[]; problems: string[] } {
  const tokens: CallerToken[] = [];
  const problems: string[] = [];
  const ids = new Set<string>();
  raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .forEach((entry, i) => {
      const [id = '', hash = '', credits, ...rest] = entry.split(':');
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(id) || !/^[0-9a-fA-F]{64}$/.test(hash) || rest.length > 0 || (credits !== undefined && !/^\d{1,12}$/.test(credits))) {
        problems.push(`CALLER_TOKENS: entry ${i + 1} is not id:sha256hex[:creditsPerDay] (id of letters, digits, . _ -; 64 hex digits)`);
      } else if (ids.has(id)) {
        problems.push(`CALLER_TOKENS: entry ${i + 1} repeats the id ${id}`);
      } else {
        ids.add(id);
        tokens.push({ id, sha256: hash.toLowerCase(), creditsPerDay: credits === undefined ? undefined : Number(credits) });
      }
    });
  return { tokens, problems };
}
