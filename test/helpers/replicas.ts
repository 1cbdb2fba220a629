import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { startRedis, type TestRedis } from './redis.js';
import { startStack, type Stack, type StackOptions } from './stack.js';

export interface ReplicasOptions {
  sandbox: SandboxOptions;
  /** Env of every replica; REDIS_URL is added. */
  env: Record<string, string>;
  /** Key prefix in Redis, the same for every replica (one deployment). */
  redisPrefix: string;
  limits?: StackOptions['limits'];
  /** How many replicas (default 2). */
  count?: number;
  /** Which sandbox key the replicas use (default the free sandbox key). */
  key?: StackOptions['key'];
}

/** Replicas of one deployment over one sandbox, sharing one real redis-server of the test's own. */
export interface Replicas {
  redis: TestRedis;
  sandbox: Sandbox;
  stacks: Stack[];
  close(): Promise<void>;
}

/** Start Redis, the sandbox and the replicas; resolves once every replica shares the Redis budget. */
export async function startReplicas(o: ReplicasOptions): Promise<Replicas> {
  const redis = await startRedis();
  const sandbox = await startSandbox(o.sandbox);
  const env = { ...o.env, REDIS_URL: redis.url };
  const stacks: Stack[] = [];
  for (let i = 0; i < (o.count ?? 2); i++) {
    stacks.push(await startStack({ shared: sandbox, env, redisPrefix: o.redisPrefix, ...(o.limits && { limits: o.limits }), ...(o.key && { key: o.key }) }));
  }
  await Promise.all(stacks.map((s) => s.app.gate.whenShared()));
  return {
    redis,
    sandbox,
    stacks,
    async close() {
      for (const s of stacks) await s.close();
      await sandbox.close();
      await redis.stop();
    },
  };
}
