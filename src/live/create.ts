import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobsService } from '../budget/jobs-service.js';
import type { RateGate } from '../budget/rate-gate.js';
import type { Config } from '../config.js';
import { LIVE_REPLAY_MAX_EVENTS } from '../limits.js';
import { MemoryBus } from './bus.js';
import { LiveHub } from './hub.js';
import { RedisBus } from './redis-bus.js';

type LiveSettings = Config['live'];

export interface LiveDeps extends LiveSettings {
  redis: Redis | undefined;
  prefix: string;
  jobs: JobsService;
  gate: RateGate;
  logger: Logger;
  replica: string;
}

/** The live hub over Redis (leases, replay, fan-out across replicas) or, without it, in memory. */
export function createLiveHub(d: LiveDeps): LiveHub {
  const busOptions = { replayMs: d.replayMs, leaseMs: d.poll.leaseMs, replayMaxEvents: LIVE_REPLAY_MAX_EVENTS };
  const bus = d.redis ? new RedisBus(d.redis, d.prefix, busOptions, d.logger) : new MemoryBus(busOptions);
  return new LiveHub({ bus, jobs: d.jobs, gate: d.gate, logger: d.logger, replica: d.replica, poll: d.poll, limits: d.limits });
}
