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
import { HostPool, type FailoverOptions } from './hosts.js';
import type { ExpiredRecord, JobRecord } from './records.js';

/** The request path's options, with the two host URLs and their failover rules in place of a built pool. */
export interface UpstreamOptions extends Omit<HttpOptions, 'hosts'> {
  baseUrl: string;
  fallbackBaseUrl: string;
  failover: FailoverOptions;
}

/** The JobsPikr REST API, one method per endpoint, typed records out, typed errors thrown. */
export interface JobsPikrClient {
  search(req: SearchRequest, o: CallOptions): Promise<Page<JobRecord>>;
  expired(req: ExpiredRequest, o: CallOptions): Promise<Page<ExpiredRecord>>;
  aggregate(req: AggregateRequest, o: CallOptions): Promise<AggregateResult>;
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
      const { envelope } = await http.send(searchCall(req, o));
      const page = searchPage(envelope);
      noteDropped('data', page.dropped);
      return page;
    },
    async expired(req, o) {
      const { envelope } = await http.send(expiredCall(req, o));
      const page = expiredPage(envelope);
      noteDropped('expired_jobs', page.dropped);
      return page;
    },
    async aggregate(req, o) {
      const { envelope } = await http.send(aggregateCall(req, o));
      const result = aggregateResult(envelope);
      noteDropped('aggregate_data', result.dropped);
      return result;
    },
    close: () => hosts.close(),
  };
}
