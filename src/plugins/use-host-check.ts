import type { RequestListener } from 'node:http';
import type { Plugin } from 'graphql-yoga';

/**
 * A hostname (DNS labels or an IPv4 address) or a bracketed IPv6 address, with an optional port.
 * Nothing else: the request URL is built from this header, so `x/metrics?` would move the path.
 */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export const isStrictHost = (host: string): boolean => host.length <= 255 && HOST.test(host);

/** Refuse a request whose Host header is not a strict `host[:port]` before any routing reads the URL. */
export function useHostCheck(): Plugin {
  return {
    onRequest({ request, endResponse }) {
      const host = request.headers.get('host');
      if (host === null || isStrictHost(host)) return;
      endResponse(Response.json({ errors: [{ message: 'Invalid Host header', extensions: { code: 'BAD_USER_INPUT' } }] }, { status: 400 }));
    },
  };
}

/**
 * The same rule in front of the Node adapter, which builds the request URL from the Host header
 * before any plugin runs (a header that is no host at all would throw there).
 */
export function guardHost(handler: RequestListener): RequestListener {
  return (req, res) => {
    const host = req.headers.host;
    if (host === undefined || isStrictHost(host)) return handler(req, res);
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ message: 'Invalid Host header', extensions: { code: 'BAD_USER_INPUT' } }] }));
  };
}
