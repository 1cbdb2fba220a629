import { isIP } from 'node:net';

interface WithSocket {
  req?: { socket?: { remoteAddress?: string | undefined } };
}

/** The first four groups of an IPv6 address, `::` expanded. */
function prefix64(a: string): string {
  const [head = '', tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * One client, one name: `::ffff:10.0.0.1` is `10.0.0.1`, and an IPv6 client is its /64 (one site
 * or host holds a whole /64, so each of its addresses is not a caller of its own with its own quota).
 */
function plain(a: string): string {
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) return a.slice(7);
  return isIP(a) === 6 ? prefix64(a.split('%')[0] ?? a) : a;
}

/**
 * The client's address. Behind a trusted proxy, the last X-Forwarded-For entry: the one the nearest
 * proxy appended (earlier entries are whatever the client chose to send). Otherwise the socket's peer,
 * and X-Forwarded-For is ignored. undefined when neither is known (an in-process `yoga.fetch`).
 */
export function clientAddress(headers: Headers, serverContext: unknown, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const xff = headers.get('x-forwarded-for');
    const last = xff?.slice(xff.lastIndexOf(',') + 1).trim();
    if (last && isIP(last)) return plain(last);
  }
  const peer = (serverContext as WithSocket | undefined)?.req?.socket?.remoteAddress;
  return peer ? plain(peer) : undefined;
}
