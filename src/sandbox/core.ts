import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Account, SANDBOX_CREDITS, createAccount } from './account.js';
import { faultReply } from './fault-replies.js';
import { FaultTable, type Endpoint, type Host } from './faults.js';
import { handleAggregate } from './handle-aggregate.js';
import { type ParsedBody, handleData } from './handle-data.js';
import { handleExpired } from './handle-expired.js';
import { type Credentials, credentials, readBody, send, waitWhileConnected } from './http-io.js';
import { ParamError } from './params.js';
import { QueryError } from './query-error.js';
import { RateLimiter, type WindowLimits } from './rate-limit.js';
import { type Reply, errorReply } from './reply.js';
import type { RequestLogEntry, SandboxKey } from './server.js';
import type { JobStore } from './store.js';

export interface CoreConfig {
  store: JobStore;
  limits: { dataPerMinute: number; dataPerHour: number; aggregatePerMinute: number; aggregatePerHour: number };
  minuteMs: number;
  hourMs: number;
  delayMs: number;
  productionCredits: number;
}

const ROUTES: Readonly<Record<string, Endpoint>> = {
  'POST /v2/data': 'data',
  'GET /v2/expired_jobs': 'expired_jobs',
  'GET /v2/aggregate_data': 'aggregate_data',
};

/** Slow faults wait this long unless the spec says otherwise. */
const DEFAULT_SLOW_MS = 5000;
const DEFAULT_RETRY_AFTER_S = 2;

/**
 * The state both hosts share (accounts, rate windows, faults, log) and the request path:
 * read -> log -> global delay -> fault -> 404 -> auth (401) -> rate limit (429) -> validate (400) -> work.
 * Requests answered 401 or 429, and faulted ones, do not count toward rate windows; 400s do (the window
 * is charged before validation, as a gateway would).
 */
export class SandboxCore {
  readonly log: RequestLogEntry[] = [];
  readonly faults = new FaultTable();
  delayMs: number;
  private readonly accounts = new Map<string, Account>();
  private readonly limiter = new RateLimiter();
  private readonly closing = new AbortController();

  constructor(private readonly config: CoreConfig) {
    // Every delayed request waits on this one signal (and removes its listener when done).
    setMaxListeners(0, this.closing.signal);
    this.delayMs = config.delayMs;
  }

  addKey(key: SandboxKey, kind: Account['kind'], credits?: number): void {
    this.accounts.set(key.clientId, createAccount(key, kind, kind === 'production' ? (credits ?? this.config.productionCredits) : SANDBOX_CREDITS));
  }

  creditsRemaining(clientId: string): number {
    const account = this.accounts.get(clientId);
    if (!account) throw new Error(`unknown sandbox client id ${clientId}`);
    return account.kind === 'production' ? account.credits : SANDBOX_CREDITS;
  }

  reset(): void {
    this.log.length = 0;
    this.faults.clear();
    this.limiter.reset();
    this.delayMs = this.config.delayMs;
    for (const account of this.accounts.values()) {
      account.credits = account.initialCredits;
      account.consumed.clear();
    }
  }

  /** Stops pending delays so close() does not wait for them. */
  shutdown(): void {
    this.closing.abort();
  }

  async handle(host: Host, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const method = req.method ?? 'GET';
    const endpoint = ROUTES[`${method} ${q < 0 ? url : url.slice(0, q)}`] ?? 'other';
    const raw = await readBody(req);
    const params = Object.fromEntries(new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
    const parsed = endpoint === 'data' && raw !== null ? parseJson(raw) : { valid: false as const };
    const creds = credentials(req);
    const entry: RequestLogEntry = {
      host,
      method,
      endpoint,
      clientId: creds.clientId,
      status: 0,
      records: 0,
      body: endpoint === 'data' ? (parsed.valid ? parsed.value : raw) : params,
      at: Date.now(),
    };
    this.log.push(entry);
    if (this.delayMs > 0 && !(await waitWhileConnected(this.delayMs, res, this.closing.signal))) return;
    const fault = this.faults.take(host, endpoint);
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') {
      if (!(await waitWhileConnected(fault.delayMs ?? DEFAULT_SLOW_MS, res, this.closing.signal))) return;
    }
    const reply =
      fault && fault.kind !== 'slow'
        ? faultReply(fault.kind, fault.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_S, this.config.store.jobs.slice(0, 2))
        : raw === null
          ? errorReply(400, 'Request body too large')
          : this.answer(endpoint, creds, parsed, params);
    entry.status = reply.status;
    entry.records = reply.records;
    send(res, reply);
  }

  private answer(endpoint: Endpoint, creds: Credentials, parsed: ParsedBody, params: Record<string, string>): Reply {
    if (endpoint === 'other') return errorReply(404, 'Not found');
    const account = creds.clientId === null ? undefined : this.accounts.get(creds.clientId);
    if (!account || account.key.authKey !== creds.authKey) return errorReply(401, 'Invalid credentials');
    const retryAfter = this.limiter.take(`${account.key.clientId}\n${endpoint}`, Date.now(), this.windowLimits(endpoint));
    if (retryAfter > 0) return errorReply(429, 'Rate limit exceeded', { 'retry-after': String(retryAfter) });
    const { store } = this.config;
    try {
      if (endpoint === 'data') return handleData(store, account, parsed);
      if (endpoint === 'expired_jobs') return handleExpired(store, account, params);
      return handleAggregate(store, params);
    } catch (error) {
      if (error instanceof ParamError || error instanceof QueryError) return errorReply(400, error.message);
      console.error('sandbox: unexpected error', error); // a sandbox bug: answer like a real server would
      return errorReply(500, 'Internal server error');
    }
  }

  private windowLimits(endpoint: Endpoint): WindowLimits {
    const { limits, minuteMs, hourMs } = this.config;
    return endpoint === 'aggregate_data'
      ? { perMinute: limits.aggregatePerMinute, perHour: limits.aggregatePerHour, minuteMs, hourMs }
      : { perMinute: limits.dataPerMinute, perHour: limits.dataPerHour, minuteMs, hourMs };
  }
}

function parseJson(raw: string): ParsedBody {
  try {
    return { valid: true, value: JSON.parse(raw) };
  } catch {
    return { valid: false };
  }
}
