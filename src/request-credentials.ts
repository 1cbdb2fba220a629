import { MAX_KEY_LENGTH } from './limits.js';
import { unauthenticated } from './errors.js';
import type { Credentials } from './upstream/credentials.js';

/** Printable ASCII without spaces, 1..MAX_KEY_LENGTH: what a JobsPikr id or key can be, and safe in a header. */
const isKeyText = (v: string): boolean => v.length <= MAX_KEY_LENGTH && /^[\x21-\x7e]+$/.test(v);

/**
 * The caller's own JobsPikr keys (headers `client_id`/`client_auth_key`, or HTTP Basic), else the
 * server's. In multi-tenant mode (`serverKeys` undefined) a request without keys is refused.
 */
export function requestCredentials(headers: Headers, serverKeys: Credentials | undefined): Credentials {
  const id = headers.get('client_id')?.trim();
  const key = headers.get('client_auth_key')?.trim();
  if (id || key) {
    if (!id || !key) throw unauthenticated('Send both client_id and client_auth_key headers');
    if (!isKeyText(id) || !isKeyText(key)) throw unauthenticated('client_id or client_auth_key is not a JobsPikr key');
    return { clientId: id, authKey: key, scheme: 'headers' };
  }
  const auth = headers.get('authorization');
  if (auth && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    const clientId = sep > 0 ? decoded.slice(0, sep) : '';
    const authKey = sep > 0 ? decoded.slice(sep + 1) : '';
    if (!isKeyText(clientId) || !isKeyText(authKey)) throw unauthenticated('HTTP Basic credentials must be client_id:client_auth_key');
    return { clientId, authKey, scheme: 'basic' };
  }
  if (!serverKeys) throw unauthenticated('This server needs your JobsPikr keys: send client_id and client_auth_key headers, or HTTP Basic');
  return serverKeys;
}
