import DataLoader from 'dataloader';
import type { JobsService } from './budget/jobs-service.js';
import type { LiveContext } from './live/request.js';
import type { RateGate } from './budget/rate-gate.js';
import { OperationUsage } from './budget/usage.js';
import type { CursorCodec } from './schema/cursor.js';
import type { Credentials } from './upstream/credentials.js';
import { MAX_PAGE_SIZE } from './limits.js';
import type { JobRecord } from './upstream/records.js';

/** Everything a resolver may touch for one GraphQL request. Built fresh per request. */
export interface Context {
  readonly credentials: Credentials;
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
  limits: Context['limits'];
}

/** A new context (and loader) per request: nothing cached here outlives the request. */
export function createContext(deps: ContextDeps, credentials: Credentials, signal: AbortSignal): Context {
  const usage = new OperationUsage(credentials);
  const op = { credentials, signal, usage };
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
  return { jobs: deps.jobs, gate: deps.gate, cursors: deps.cursors, limits: deps.limits, credentials, signal, usage, jobLoader };
}
