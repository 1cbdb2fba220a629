import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server instance (its own registry, so tests can run several). */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    upstreamRequests: new Counter({
      name: 'jobspikr_upstream_requests_total',
      help: 'Requests sent to JobsPikr, by endpoint, host that served them and outcome',
      labelNames: ['endpoint', 'host', 'outcome'] as const,
      registers: [registry],
    }),
    upstreamSeconds: new Histogram({
      name: 'jobspikr_upstream_request_seconds',
      help: 'Time to a JobsPikr answer, by endpoint and host',
      labelNames: ['endpoint', 'host'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    hostOpen: new Gauge({
      name: 'jobspikr_upstream_host_open',
      help: '1 while the circuit of a JobsPikr host is open (calls go elsewhere)',
      labelNames: ['host'] as const,
      registers: [registry],
    }),
    cacheLookups: new Counter({
      name: 'jobspikr_cache_lookups_total',
      help: 'Cache lookups by cache and result (hit, miss, coalesced)',
      labelNames: ['cache', 'result'] as const,
      registers: [registry],
    }),
    answerCache: new Counter({
      name: 'jobspikr_answer_cache_total',
      help: 'Whole answers of operations served from cache (plugins/answer-cache.ts): hit, miss, stored',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'jobspikr_rate_limited_total',
      help: 'Upstream calls refused locally because the rate budget was spent',
      labelNames: ['endpoint'] as const,
      registers: [registry],
    }),
    droppedRecords: new Counter({
      name: 'jobspikr_dropped_records_total',
      help: 'Upstream records dropped because they could not be read',
      labelNames: ['endpoint'] as const,
      registers: [registry],
    }),
    staleAnswers: new Counter({
      name: 'jobspikr_stale_answers_total',
      help: 'Answers served from data past its cache lifetime because the fresh call failed, by cache and reason',
      labelNames: ['cache', 'reason'] as const,
      registers: [registry],
    }),
    staleAgeSeconds: new Histogram({
      name: 'jobspikr_stale_age_seconds',
      help: 'Age of the stale data served (seconds since it was fetched), by cache',
      labelNames: ['cache'] as const,
      buckets: [10, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600],
      registers: [registry],
    }),
    refreshes: new Counter({
      name: 'jobspikr_background_refreshes_total',
      help: 'stale-while-revalidate refreshes of free endpoints, by cache and outcome (made, failed, skipped_budget, skipped_peer)',
      labelNames: ['cache', 'outcome'] as const,
      registers: [registry],
    }),
    creditsCharged: new Counter({
      name: 'jobspikr_credits_charged_total',
      help: 'Job credits spent upstream through this server',
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
