import type { FaultKind } from './server.js';
import { type Reply, errorReply } from './reply.js';

const HTML_503 =
  '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n' +
  '<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** A body that is valid JSON up to the middle and then stops, sent as a complete 200 response. */
function truncatedBody(sample: readonly unknown[]): string {
  const full = JSON.stringify({
    status: 'success',
    message: 'Data present.',
    total_count: 1276,
    size: sample.length,
    job_credit_remaining: 998,
    next_cursor: 1550559619641049,
    job_data: sample,
  });
  return full.slice(0, Math.floor(full.length / 2));
}

/** The answer for each fault kind that answers at all ('reset' destroys the socket, 'slow' answers normally). */
export function faultReply(kind: Exclude<FaultKind, 'reset' | 'slow'>, retryAfterSeconds: number, sample: readonly unknown[]): Reply {
  switch (kind) {
    case 'status500':
      return errorReply(500, 'Internal server error');
    case 'status502':
      return { status: 502, contentType: 'text/plain; charset=utf-8', body: '502 Bad Gateway', records: 0 };
    case 'status503':
      return errorReply(503, 'Service temporarily unavailable');
    case 'html503':
      return { status: 503, contentType: 'text/html; charset=utf-8', body: HTML_503, records: 0 };
    case 'rate429':
      return errorReply(429, 'Rate limit exceeded', { 'retry-after': String(retryAfterSeconds) });
    case 'truncated':
      return { status: 200, contentType: 'application/json; charset=utf-8', body: truncatedBody(sample), records: 0 };
    case 'malformed':
      return {
        status: 200,
        contentType: 'application/json; charset=utf-8',
        body: '{"status":"success","message":"Data present.","total_count":"many","size":"ten","next_cursor":{},"job_data":"oops","aggregations":"oops"}',
        records: 0,
      };
  }
}
