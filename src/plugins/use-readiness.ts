import type { Plugin } from 'graphql-yoga';
import type { Readiness } from '../ops/readiness.js';
import { pathOf } from './use-operational-routes.js';

/** `/readyz`: 200 while the server can serve, 503 with the reasons otherwise (and from SIGTERM on). */
export function useReadiness(readiness: Readiness): Plugin {
  return {
    async onRequest({ request, endResponse }) {
      if (pathOf(request.url) !== '/readyz') return;
      const report = await readiness.report();
      endResponse(Response.json(report, { status: report.status === 'ready' ? 200 : 503, headers: { 'cache-control': 'no-store' } }));
    },
  };
}
