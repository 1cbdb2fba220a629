import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../metrics.js';
import type { HostPool } from '../upstream/hosts.js';

/** The path of a request URL without building a URL object (this runs on every request). */
export function pathOf(url: string): string {
  const scheme = url.indexOf('://');
  const start = scheme < 0 ? 0 : url.indexOf('/', scheme + 3);
  if (start < 0) return '/';
  let end = url.length;
  for (const c of ['?', '#']) {
    const i = url.indexOf(c, start);
    if (i >= 0 && i < end) end = i;
  }
  return url.slice(start, end);
}

/** `/healthz` (the process answers, with each upstream host's circuit) and `/metrics` (Prometheus). */
export function useOperationalRoutes(deps: { metrics: Metrics; hosts: HostPool }): Plugin {
  return {
    async onRequest({ request, endResponse }) {
      const path = pathOf(request.url);
      if (path === '/healthz') {
        endResponse(Response.json({ status: 'ok', upstream: deps.hosts.status() }));
      } else if (path === '/metrics') {
        endResponse(new Response(await deps.metrics.registry.metrics(), { headers: { 'content-type': deps.metrics.registry.contentType } }));
      }
    },
  };
}
