import { randomUUID } from 'node:crypto';
import type { LiveHub } from './hub.js';
import { tokenOf } from './stream-token.js';

/** What a subscription needs to know about the request that made it. */
export interface LiveContext {
  readonly hub: LiveHub;
  /** Who subscribes (per-caller bounds, credit attribution): the identified caller's id, else `anonymous:<address>`. */
  readonly caller: string;
  /** The SSE stream (single-connection mode) or the TCP connection it arrived on (per-connection bounds). */
  readonly connection: string;
  /** `Last-Event-ID` header, or `extensions.lastEventId` of the operation (a client that cannot set headers). */
  readonly lastEventId: string | null;
  /** Drop the connection of a subscriber cut off for not reading. */
  readonly cutOff?: (() => void) | undefined;
  /** The id of the event being resolved, for the transport to put on it (set by the field's resolver). */
  current: string | undefined;
}

interface NodeSocket {
  remoteAddress?: string | undefined;
  destroy?: () => void;
}

/** The socket of the node request behind `server` (yoga's server context; absent under `yoga.fetch`). */
function socketOf(server: object): NodeSocket | undefined {
  const req: unknown = 'req' in server ? server.req : undefined;
  const socket: unknown = typeof req === 'object' && req !== null && 'socket' in req ? req.socket : undefined;
  return typeof socket === 'object' && socket !== null ? socket : undefined;
}

/** Whether the node response behind `server` has been written out (then its socket may carry other requests). */
function finished(server: object): boolean {
  const res: unknown = 'res' in server ? server.res : undefined;
  return typeof res === 'object' && res !== null && 'writableFinished' in res && res.writableFinished === true;
}

const socketIds = new WeakMap<object, string>();

/** A cut-off subscriber's connection gets this long to take its SLOW_CONSUMER error before it is dropped. */
const CUT_OFF_GRACE_MS = 2_000;

/** The live part of a request's context. */
export function liveContext(hub: LiveHub, request: Request, server: object, extensions: unknown, callerId?: string): LiveContext {
  const socket = socketOf(server);
  const token = tokenOf(request.headers, request.url);
  let connection = token;
  if (!connection && socket) {
    connection = socketIds.get(socket) ?? randomUUID();
    socketIds.set(socket, connection);
  }
  const fromExtensions = (extensions as { lastEventId?: unknown } | undefined)?.lastEventId;
  const lastEventId = request.headers.get('last-event-id') ?? (typeof fromExtensions === 'string' ? fromExtensions : null);
  return {
    hub,
    caller: callerId ?? `anonymous:${socket?.remoteAddress ?? 'local'}`,
    connection: connection ?? randomUUID(),
    lastEventId: lastEventId?.trim() || null,
    // A single-connection stream is not this request's socket (that one carried the operation POST).
    cutOff:
      token || !socket?.destroy
        ? undefined
        : () =>
            setTimeout(() => {
              if (!finished(server)) socket.destroy?.();
            }, CUT_OFF_GRACE_MS).unref(),
    current: undefined,
  };
}
