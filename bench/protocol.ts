// Messages between a bench driver (bench/run.ts, bench/dashboard.ts ...) and bench/server.ts (child
// process) over Node's IPC channel.
import type { RequestLogEntry } from '../src/sandbox/server.js';

export type Command =
  | { cmd: 'stats' }
  | { cmd: 'clearLog' }
  | { cmd: 'setDelay'; ms: number }
  | { cmd: 'reset' }
  /** run a full GC first (needs BENCH_NODE_ARGS=--expose-gc), to tell retained memory from garbage */
  | { cmd: 'gc' }
  | { cmd: 'lastBodies'; n: number }
  /** sandbox: the production key's credits and the whole request log (for a ledger of a run) */
  | { cmd: 'ledger' }
  /** start the V8 CPU profiler in this process (node:inspector), for bench/profile.ts */
  | { cmd: 'profileStart' }
  /** stop it and write the profile to `file` (.cpuprofile, opens in Chrome DevTools) */
  | { cmd: 'profileStop'; file: string }
  /** start V8's sampling heap profiler, keeping samples of objects the GC has since collected */
  | { cmd: 'heapProfileStart' }
  /** stop it and write the allocation profile to `file` (.heapprofile, opens in Chrome DevTools) */
  | { cmd: 'heapProfileStop'; file: string };

export interface ProcessStats {
  /** process.cpuUsage() in microseconds */
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** memory of C++ objects bound to JS ones, Buffers included */
  externalBytes: number;
}

export interface UpstreamStats {
  calls: { data: number; expired_jobs: number; aggregate_data: number; other: number };
  /** count of each HTTP status the sandbox answered */
  statuses: Record<string, number>;
  records: number;
}

export interface Ready {
  type: 'ready';
  role: 'sandbox' | 'app' | 'floor';
  /** app: GraphQL URL; sandbox: base URL (.../v2) */
  url: string;
  fallbackUrl?: string;
  keys?: { sandbox: { clientId: string; authKey: string }; production: { clientId: string; authKey: string } };
}

export interface Reply {
  type: 'reply';
  id: number;
  process: ProcessStats;
  upstream?: UpstreamStats;
  bodies?: unknown[];
  ledger?: Ledger;
}

/** What the sandbox logged of a request, as sent over IPC (the method left out). */
export type LedgerEntry = Omit<RequestLogEntry, 'method'>;

export interface Ledger {
  /** credits left on the sandbox's production key */
  creditsRemaining: number;
  log: LedgerEntry[];
}
