import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reply } from './reply.js';

/** Largest request body read; the sandbox answers 400 beyond it. */
export const MAX_BODY_BYTES = 1 << 20;

/** The whole body as text, or null when it exceeds MAX_BODY_BYTES (the rest is drained, not kept). */
export async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    bytes += buffer.length;
    if (bytes <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  return bytes > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8');
}

export interface Credentials {
  clientId: string | null;
  authKey: string | null;
}

/** `client_id` + `client_auth_key` headers when present, else HTTP Basic (contract §1). */
export function credentials(req: IncomingMessage): Credentials {
  const id = req.headers.client_id;
  const key = req.headers.client_auth_key;
  if (typeof id === 'string' || typeof key === 'string') {
    return { clientId: typeof id === 'string' ? id : null, authKey: typeof key === 'string' ? key : null };
  }
  const auth = req.headers.authorization;
  if (auth === undefined || !/^basic\s/i.test(auth)) return { clientId: null, authKey: null };
  const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? { clientId: decoded, authKey: null } : { clientId: decoded.slice(0, colon), authKey: decoded.slice(colon + 1) };
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(reply.status, {
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
    ...reply.headers,
  });
  res.end(reply.body);
}

/** Resolves true after `ms`, or false as soon as the client goes away or `signal` aborts. */
export function waitWhileConnected(ms: number, res: ServerResponse, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (connected: boolean): void => {
      clearTimeout(timer);
      res.off('close', gone);
      signal.removeEventListener('abort', gone);
      resolve(connected);
    };
    const gone = (): void => finish(false);
    const timer = setTimeout(() => finish(!res.destroyed), ms);
    res.once('close', gone);
    signal.addEventListener('abort', gone, { once: true });
  });
}
