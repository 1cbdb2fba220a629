import {
  aggregateCall,
  aggregateResult,
  expiredCall,
  expiredPage,
  searchCall,
  searchPage,
  type AggregateRequest,
  type AggregateResult,
  type CallOptions,
  type ExpiredRequest,
  type Page,
  type SearchRequest,
} from './adapters.js';
import { createHttp, type Endpoint, type HttpOptions } from './http.js';
import { HostPool, type FailoverOptions, type HostName } from './hosts.js';
import type { ExpiredRecord, JobRecord } from './records.js';
import type { Metrics } from '../metrics.js';

/** The request path's options, with the two host URLs and their failover rules in place of a built pool. */
export interface UpstreamOptions extends Omit<HttpOptions, 'hosts'> {
  baseUrl: string;
  fallbackBaseUrl: string;
  failover: FailoverOptions;
}

/** What a successful upstream call reports besides its data (for usage accounting). */
export interface CallReport {
  endpoint: Endpoint;
  host: HostName;
}

export type Served<T> = T & { report: CallReport };

/** The JobsPikr REST API, one method per endpoint, typed records out, typed errors thrown. */
export interface JobsPikrClient {
  search(req: SearchRequest, o: CallOptions): Promise<Served<Page<JobRecord>>>;
  expired(req: ExpiredRequest, o: CallOptions): Promise<Served<Page<ExpiredRecord>>>;
  aggregate(req: AggregateRequest, o: CallOptions): Promise<Served<AggregateResult>>;
  readonly hosts: HostPool;
  close(): void;
}

/** Build the client over a dispatcher the caller owns (keep-alive pool, connect timeout). */
export function createJobsPikrClient(opts: UpstreamOptions): JobsPikrClient {
  const hosts = new HostPool(opts.baseUrl, opts.fallbackBaseUrl, opts.failover, opts.dispatcher, opts.logger, opts.metrics);
  const http = createHttp({ ...opts, hosts });

  function noteDropped(endpoint: Endpoint, dropped: number): void {
    if (dropped === 0) return;
    opts.metrics.droppedRecords.inc({ endpoint }, dropped);
    opts.logger.warn({ endpoint, dropped }, 'dropped upstream records that could not be read');
  }

  return {
    hosts,
    async search(req, o) {
      const { envelope, host } = await http.send(searchCall(req, o));
      const page = searchPage(envelope);
      noteDropped('data', page.dropped);
      return { ...page, report: { endpoint: 'data', host } };
    },
    async expired(req, o) {
      const { envelope, host } = await http.send(expiredCall(req, o));
      const page = expiredPage(envelope);
      noteDropped('expired_jobs', page.dropped);
      return { ...page, report: { endpoint: 'expired_jobs', host } };
    },
    async aggregate(req, o) {
      const { envelope, host } = await http.send(aggregateCall(req, o));
      const result = aggregateResult(envelope);
      noteDropped('aggregate_data', result.dropped);
      return { ...result, report: { endpoint: 'aggregate_data', host } };
    },
    close: () => hosts.close(),
  };
}
