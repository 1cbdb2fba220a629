import type { Plugin } from 'graphql-yoga';

/** Preflight answers may be reused this long (seconds): browsers cap it lower anyway. */
const PREFLIGHT_MAX_AGE = '600';

/**
 * CORS headers for one request. Origins listed: only those are answered (reflected, with
 * credentials); any other origin gets none, so browsers keep its scripts out. None listed:
 * `Access-Control-Allow-Origin: *`, never with credentials (yoga's own default reflects every origin
 * with credentials, and its `origin: '*'` still reflects).
 */
function corsHeaders(request: Request, allowed: ReadonlySet<string> | undefined): Record<string, string> {
  const origin = request.headers.get('origin');
  if (origin === null) return {};
  const h: Record<string, string> = {};
  if (!allowed) h['access-control-allow-origin'] = '*';
  else {
    h.vary = 'Origin';
    if (!allowed.has(origin)) return h;
    h['access-control-allow-origin'] = origin;
    h['access-control-allow-credentials'] = 'true';
  }
  if (request.method === 'OPTIONS') {
    h['access-control-allow-methods'] = 'GET, POST, OPTIONS';
    const asked = request.headers.get('access-control-request-headers');
    if (asked) h['access-control-allow-headers'] = asked;
    h['access-control-max-age'] = PREFLIGHT_MAX_AGE;
  }
  return h;
}

/** CORS_ORIGINS (yoga's own CORS is turned off): preflights answered here, headers added to every response. */
export function useCors(origins: readonly string[] | undefined): Plugin {
  const allowed = origins?.length ? new Set(origins) : undefined;
  return {
    onRequest({ request, endResponse }) {
      if (request.method === 'OPTIONS') endResponse(new Response(null, { status: 204, headers: { 'content-length': '0' } }));
    },
    onResponse({ request, response }) {
      for (const [k, v] of Object.entries(corsHeaders(request, allowed))) {
        if (k === 'vary') response.headers.append(k, v);
        else response.headers.set(k, v);
      }
    },
  };
}
