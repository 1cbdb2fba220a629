import { setMaxListeners } from 'node:events';
import DataLoader from 'dataloader';
import type { JobsService } from './budget/jobs-service.js';
import type { LiveContext } from './live/request.js';
import type { RateGate } from './budget/rate-gate.js';
import { Admission } from './callers/admission.js';
import type { Caller } from './callers/caller.js';
import type { CallerQuotas } from './callers/caller-quotas.js';
import { OperationUsage } from './budget/usage.js';
import type { CursorCodec } from './schema/cursor.js';
import type { Credentials } from './upstream/credentials.js';
import type { CallBudget } from './upstream/http.js';
import { MAX_PAGE_SIZE } from './limits.js';
import type { JobRecord } from './upstream/records.js';

/** Everything a resolver may touch for one GraphQL request. Built fresh per request. */
export interface Context {
  readonly credentials: Credentials;
  /** Who is calling (plugins/use-caller.ts); null when nothing identifies the request. */
  readonly caller: Caller | null;
  readonly quotas: CallerQuotas;
  /** The caller's fair share of the rate budget, carried to every upstream call (contexts are OpContexts). */
  readonly budget: CallBudget | undefined;
  /** The caller's quota check, passed before the operation's first upstream call. */
  readonly admission: Admission;
  readonly signal: AbortSignal;
  readonly usage: OperationUsage;
  readonly jobs: JobsService;
  readonly gate: RateGate;
  /** `job`, `jobsByUniqIds`, `node(s)`, `ExpiredJob.job` and entity lookups share this loader. */
  readonly jobLoader: Pick<DataLoader<string, JobRecord | null>, 'load'>;
  readonly cursors: CursorCodec;
  readonly limits: { complexity: number; depth: number; breadth: number };
  /** Live subscriptions (jobPosted): absent where the server runs none. */
  readonly live?: LiveContext | undefined;
}

export interface ContextDeps {
  jobs: JobsService;
  gate: RateGate;
  cursors: CursorCodec;
  quotas: CallerQuotas;
  /** Most of any upstream window one caller may hold (1 = no cap). */
  callerRateShare: number;
  limits: Context['limits'];
}

/** A new context (and loader) per request: nothing cached here outlives the request. */
export function createContext(deps: ContextDeps, credentials: Credentials, signal: AbortSignal, caller: Caller | null = null): Context {
  // Each resolver waiting on an upstream flight listens on the request's signal until the flight settles,
  // and one operation may wait on dozens (aliases); the operation limits bound them, so Node's leak
  // warning past 10 listeners would only be a stderr line per such request. whatwg-node's own signal
  // (with its ponyfill Request) has no limit; a native AbortSignal (`yoga.fetch`, a native Request) has.
  if (signal instanceof EventTarget) setMaxListeners(0, signal);
  const usage = new OperationUsage(credentials);
  // A caller's fair share of the rate budget rides with every upstream call of the operation (rate-gate.ts).
  const budget = caller && deps.callerRateShare < 1 ? { shares: [{ key: caller.key, share: deps.callerRateShare }] } : undefined;
  const admission = new Admission();
  const op = { credentials, signal, usage, budget, admission };
  let loader: DataLoader<string, JobRecord | null> | undefined;
  // The DataLoader is built on first use: most operations look nothing up by id.
  const jobLoader = {
    load(id: string): Promise<JobRecord | null> {
      loader ??= new DataLoader<string, JobRecord | null>(
        async (ids) => {
          // An id's value may be its own error: a failed call that stale records answered for the others.
          const found = await deps.jobs.lookup({ ids, op });
          return ids.map((i) => found.get(i) ?? null);
        },
        // One upstream `terms` request takes at most 100 ids.
        { maxBatchSize: MAX_PAGE_SIZE },
      );
      return loader.load(id);
    },
  };
  return {
    jobs: deps.jobs,
    gate: deps.gate,
    cursors: deps.cursors,
    quotas: deps.quotas,
    limits: deps.limits,
    credentials,
    caller,
    budget,
    admission,
    signal,
    usage,
    jobLoader,
  };
}
