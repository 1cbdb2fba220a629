import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { Credentials } from './credentials.js';
import type { Envelope } from './envelope.js';
import type { Host, HostPool } from './hosts.js';
import type { Metrics } from '../metrics.js';

export type Endpoint = 'data' | 'expired_jobs' | 'aggregate_data';

/** One upstream call as the adapters describe it. */
export interface UpstreamCall {
  endpoint: Endpoint;
  method: 'GET' | 'POST';
  query?: Record<string, string>;
  /** JSON body text (POST). */
  body?: string;
  credentials: Credentials;
  /** The GraphQL request's signal: a client that goes away cancels its upstream call. */
  signal?: AbortSignal | undefined;
  /** Safe to send again after the upstream may have acted on it (no credits can be charged twice). */
  repeatable: boolean;
  /** Where this call stands in the rate budget (lane, shares); absent = an interactive call with no share cap. */
  budget?: CallBudget | undefined;
}

/**
 * How one call may draw on the rate budget. `interactive` (the default) is a caller waiting now;
 * `background` (refreshes, live polls, deep pages) yields to waiting interactive calls and never
 * takes the last slots of a window. Each share caps one party's use of every window at
 * `share` x the limit (a caller's fair share, the live feed's share), counted across replicas.
 */
export interface CallBudget {
  lane?: 'interactive' | 'background';
  shares?: readonly { key: string; share: number }[];
  /** Wait at most this long for budget (at most the gate's own bound); 0 = take a free slot or fail now. */
  maxWaitMs?: number;
  /**
   * The call is made with a key pair the upstream has not accepted (this value identifies the pair):
   * it draws from that pair's own small bucket and its client id's probe pool, never from the
   * client id's budget, so wrong keys for a known id cannot starve its tenant.
   */
  probe?: string;
}

/** One attempt's place in the rate budget. */
export interface GateSlot {
  /** Give the slot back: the upstream did not count the attempt (`refused`: a 401; `unsent`: it never arrived). */
  release(why?: 'refused' | 'unsent'): Promise<void>;
  /** The attempt reached the upstream and was `answered` (200) or `failed` (any other counted outcome). */
  settled?(outcome: 'answered' | 'failed'): Promise<void>;
}

/** Budget hooks run around every attempt (rate limiter, 429 feedback). */
export interface RequestGate {
  acquire(credentials: Credentials, endpoint: Endpoint, signal: AbortSignal, budget?: CallBudget): Promise<GateSlot>;
  penalize(credentials: Credentials, endpoint: Endpoint, retryAfterSeconds: number): Promise<void>;
}

/** Whether a call's overall deadline has passed. */
export interface Deadline {
  readonly aborted: boolean;
}

export interface HttpOptions {
  dispatcher: Dispatcher;
  hosts: HostPool;
  logger: Logger;
  metrics: Metrics;
  gate?: RequestGate;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Deadline of one upstream call, every retry included. */
  deadlineMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface UpstreamResult {
  envelope: Envelope;
  host: Host['name'];
}
