import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config } from './config.js';
import { guardHost } from './plugins/use-host-check.js';

/**
 * The Node HTTP server in front of yoga, bounded against slow and many clients: a cap on open
 * connections, and request/headers timeouts far below Node's 300 s (a slow body holds a socket and a
 * parser). Node checks those timeouts on an interval, so the interval follows the shorter one.
 */
export function createHttpServer(handler: RequestListener, o: Config['http']): Server {
  const server = createServer(
    {
      requestTimeout: o.requestTimeoutMs,
      headersTimeout: o.headersTimeoutMs,
      keepAliveTimeout: o.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(o.headersTimeoutMs / 2))),
    },
    guardHost(handler),
  );
  server.maxConnections = o.maxConnections;
  return server;
}
