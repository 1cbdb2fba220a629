import { MAX_CURSOR_LENGTH } from '../limits.js';
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { badInput } from '../errors.js';

/**
 * A server cursor: where to resume upstream (`c`, JobsPikr's opaque digits), how many records came
 * before (`n`, for hasNextPage without buying an extra record), records to skip after `c` (`k`, only
 * when a record had no cursor of its own), and `q`, the digest of the query it belongs to. Signed, so
 * it can neither be forged nor carry anything else upstream.
 */
const State = z.object({
  q: z.string().regex(/^[\w-]{1,64}$/),
  c: z
    .string()
    .regex(/^\d{1,20}$/)
    .nullable(),
  n: z.number().int().min(0).max(10_000_000),
  k: z.number().int().min(0).max(100).optional(),
});
export type CursorState = z.output<typeof State>;

/** Signs and reads this server's cursors; built once per process around its secret. */
export interface CursorCodec {
  encode(state: CursorState): string;
  /** The state of an `after` cursor issued by this server for the query `q`; BAD_USER_INPUT otherwise. */
  decode(token: string, q: string): CursorState;
}

/** Signatures kept for reuse (about 150 bytes each): the end cursors of the pages being read right now. */
const SIGNED_CURSORS_KEPT = 2048;

export function createCursorCodec(secret: string): CursorCodec {
  const key: KeyObject = createSecretKey(Buffer.from(secret, 'utf8'));
  const hmac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url').slice(0, 22);
  // A cached page hands out the same end cursor to every reader: its signature is kept, not recomputed.
  const signed = new Map<string, string>();
  const sign = (payload: string): string => {
    let mac = signed.get(payload);
    if (mac === undefined) {
      if (signed.size >= SIGNED_CURSORS_KEPT) signed.clear();
      mac = hmac(payload);
      signed.set(payload, mac);
    }
    return mac;
  };
  const invalid = () => badInput('`after` is not a cursor this server issued for this query; use a `cursor` or `pageInfo.endCursor` from the same query');
  return {
    encode(state) {
      const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },
    decode(token, q) {
      const [payload, mac, extra] = token.split('.');
      if (!payload || !mac || extra !== undefined || token.length > MAX_CURSOR_LENGTH) throw invalid();
      const expected = Buffer.from(hmac(payload));
      const given = Buffer.from(mac);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      const r = State.safeParse(parsed);
      if (!r.success || r.data.q !== q) throw invalid();
      return r.data;
    },
  };
}
