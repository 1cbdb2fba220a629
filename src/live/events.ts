import type { JobRecord } from '../upstream/records.js';

/** One new job for a topic. `id` is the record's cursor (digits): it grows with every later record. */
export interface LiveEvent {
  id: string;
  record: JobRecord;
}

/** A poll's failure that ends the topic's subscriptions (wrong key, credits gone, a filter the upstream refuses). */
export interface LiveFault {
  code: string;
  message: string;
}

/** What one poll delivers to every replica's subscribers of its topic. */
export interface LiveBatch {
  events: LiveEvent[];
  /** Credits the poll spent (0 under a sandbox key). */
  credits: number;
  /** Subscriptions to the topic across replicas when it was published: the credits' divisor. */
  subscribers: number;
  fault?: LiveFault;
}

/** Event ids compare as integers (cursors are 16 digits; BigInt keeps every digit). */
export const eventOrder = (id: string): bigint => BigInt(id);

/** A Last-Event-ID this server can have sent: digits only, not absurdly long. */
export const isEventId = (v: string): boolean => /^\d{1,20}$/.test(v);
