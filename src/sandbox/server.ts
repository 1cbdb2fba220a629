import { type Server, createServer } from 'node:http';
import { SandboxCore } from './core.js';
import type { RawJobRecord } from './data.js';
import { hexId } from './prng.js';
import { Publisher } from './publisher.js';
import { JobStore } from './store.js';

export type { RawJobRecord } from './data.js';

export interface SandboxKey {
  clientId: string;
  authKey: string;
}

export interface SandboxOptions {
  /** 0 = a free port (default 0) */
  port?: number;
  /** second port answering from the same state, like the real fallback host (default 0 = free port) */
  fallbackPort?: number;
  /** default '127.0.0.1' */
  host?: string;
  /** default 3000 */
  jobCount?: number;
  /** default 42; the data set is deterministic per seed */
  seed?: number;
  /** response delay for every request (default 0) */
  delayMs?: number;
  /** per client id (contract §5, default 100/5000/10/100); /expired_jobs uses the data limits */
  limits?: { dataPerMinute: number; dataPerHour: number; aggregatePerMinute: number; aggregatePerHour: number };
  /** length of the "minute" window (default 60_000), so tests can shrink windows */
  minuteMs?: number;
  /** default 3_600_000 */
  hourMs?: number;
  /** starting credits of the production key (default 10_000) */
  productionCredits?: number;
  /** new postings published a minute on a timer (default 0: only through `publish`) */
  postingsPerMinute?: number;
}

export interface RequestLogEntry {
  host: 'primary' | 'fallback';
  method: string;
  endpoint: 'data' | 'expired_jobs' | 'aggregate_data' | 'other';
  /** as sent (the auth key is never logged) */
  clientId: string | null;
  /** HTTP status answered; 0 when none was (a 'reset' fault, or the client left during a delay) */
  status: number;
  /** records returned (length of job_data) */
  records: number;
  /** parsed JSON body for POST /data (the raw text when it is not JSON), else the query parameters */
  body: unknown;
  at: number;
}

export type FaultKind = 'status500' | 'status502' | 'status503' | 'html503' | 'reset' | 'slow' | 'truncated' | 'rate429' | 'malformed';

export interface FaultSpec {
  kind: FaultKind;
  /** how many matching requests get the fault (default: every one until cleared) */
  times?: number;
  /** default 'primary' */
  host?: 'primary' | 'fallback' | 'both';
  /** default any */
  endpoint?: 'data' | 'expired_jobs' | 'aggregate_data';
  /** for 'slow' (default 5000) */
  delayMs?: number;
  /** for 'rate429' (default 2) */
  retryAfterSeconds?: number;
}

export interface Sandbox {
  /** base URL, e.g. http://127.0.0.1:PORT/v2 */
  url: string;
  fallbackUrl: string;
  keys: { sandbox: SandboxKey; production: SandboxKey };
  /** every record, published postings included, in cursor order */
  readonly jobs: readonly RawJobRecord[];
  /** publish `count` new postings now (cursor = now, in µs); `overrides` replaces fields of each */
  publish(count?: number, overrides?: Partial<RawJobRecord>): RawJobRecord[];
  /** every request, in arrival order */
  log: RequestLogEntry[];
  clearLog(): void;
  injectFault(spec: FaultSpec): void;
  clearFaults(): void;
  setDelay(ms: number): void;
  creditsRemaining(clientId: string): number;
  addKey(key: SandboxKey, kind: 'sandbox' | 'production', credits?: number): void;
  /** clears log, faults, rate windows and consumed sets, restores credits and the starting delay */
  reset(): void;
  close(): Promise<void>;
}

/** Contract §5 limits. */
export const DEFAULT_LIMITS = { dataPerMinute: 100, dataPerHour: 5000, aggregatePerMinute: 10, aggregatePerHour: 100 } as const;

/** Starts the JobsPikr simulator on two ports (primary and fallback) sharing one state. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = options.seed ?? 42;
  const host = options.host ?? '127.0.0.1';
  const store = new JobStore(seed, options.jobCount ?? 3000);
  const core = new SandboxCore({
    store,
    limits: options.limits ?? DEFAULT_LIMITS,
    minuteMs: options.minuteMs ?? 60_000,
    hourMs: options.hourMs ?? 3_600_000,
    delayMs: options.delayMs ?? 0,
    productionCredits: options.productionCredits ?? 10_000,
  });
  const keys = {
    sandbox: { clientId: 'demo_jp_sandbox_0000000001', authKey: `sbx_${hexId(seed, 0, 101, 32)}` },
    production: { clientId: 'demo_prod_0000000001', authKey: `prd_${hexId(seed, 0, 102, 32)}` },
  };
  core.addKey(keys.sandbox, 'sandbox');
  core.addKey(keys.production, 'production');
  const publisher = new Publisher({ store, seed, perMinute: options.postingsPerMinute ?? 0 });

  const servers: Server[] = [];
  const listenOn = async (which: 'primary' | 'fallback', port: number): Promise<string> => {
    const server = createServer((req, res) => {
      core.handle(which, req, res).catch((error: unknown) => {
        if (req.destroyed || res.destroyed) return; // the client went away mid-request
        console.error('sandbox: unexpected error', error);
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end('{"status":"error","message":"Internal server error"}');
        } else {
          res.destroy();
        }
      });
    });
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('sandbox: server has no TCP address');
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/v2`;
  };

  let url: string;
  let fallbackUrl: string;
  try {
    url = await listenOn('primary', options.port ?? 0);
    fallbackUrl = await listenOn('fallback', options.fallbackPort ?? 0);
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }

  let closed: Promise<void> | undefined;
  return {
    url,
    fallbackUrl,
    keys,
    get jobs() {
      return store.jobs;
    },
    publish: (count, overrides) => publisher.publish(count, overrides),
    log: core.log,
    clearLog: () => {
      core.log.length = 0;
    },
    injectFault: (spec) => core.faults.add(spec),
    clearFaults: () => core.faults.clear(),
    setDelay: (ms) => {
      core.delayMs = ms;
    },
    creditsRemaining: (clientId) => core.creditsRemaining(clientId),
    addKey: (key, kind, credits) => core.addKey(key, kind, credits),
    reset: () => core.reset(),
    close: () => {
      closed ??= (async () => {
        core.shutdown();
        publisher.stop();
        await Promise.all(servers.map(closeServer));
      })();
      return closed;
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
