import type { SandboxKey } from './server.js';

/** What `job_credit_remaining` reports for sandbox keys, which cost nothing (contract §2). */
export const SANDBOX_CREDITS = 1_000_000_000;

/** One client id's state: its key, credits and the records it has received ("consumed", contract §3). */
export interface Account {
  readonly key: SandboxKey;
  readonly kind: 'sandbox' | 'production';
  readonly initialCredits: number;
  credits: number;
  /** record indices returned to this client by /data */
  readonly consumed: Set<number>;
}

export function createAccount(key: SandboxKey, kind: Account['kind'], credits: number): Account {
  return { key: { ...key }, kind, initialCredits: credits, credits, consumed: new Set() };
}
