import type { Plugin } from 'graphql-yoga';
import type { Readiness } from '../ops/readiness.js';

/** `/readyz`: 200 while the server can serve, 503 with the reasons otherwise (and from SIGTERM on). */
export function useReadiness(readiness: Readiness): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      // The string test first: building the URL object costs something on every request.
      if (!request.url.includes('/readyz') || url.pathname !== '/readyz') return;
      const report = await readiness.report();
      endResponse(Response.json(report, { status: report.status === 'ready' ? 200 : 503, headers: { 'cache-control': 'no-store' } }));
    },
  };
}
