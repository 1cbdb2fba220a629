import type { FaultSpec, RequestLogEntry } from './server.js';

export type Host = RequestLogEntry['host'];
export type Endpoint = RequestLogEntry['endpoint'];

/** Injected faults, matched in injection order; each match uses up one of its `times`. */
export class FaultTable {
  private faults: { spec: FaultSpec; left: number }[] = [];

  add(spec: FaultSpec): void {
    this.faults.push({ spec: { ...spec }, left: spec.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault matching this request, consuming one use; undefined when none applies. */
  take(host: Host, endpoint: Endpoint): FaultSpec | undefined {
    const entry = this.faults.find(({ spec, left }) => {
      const hosts = spec.host ?? 'primary';
      return left > 0 && (hosts === 'both' || hosts === host) && (spec.endpoint === undefined || spec.endpoint === endpoint);
    });
    if (!entry) return undefined;
    entry.left -= 1;
    if (entry.left <= 0) this.faults = this.faults.filter((f) => f !== entry);
    return entry.spec;
  }
}
