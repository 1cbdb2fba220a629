const TOKEN_HEADER = 'x-graphql-event-stream-token';

/** graphql-sse's reservation token naming a single-connection stream, in its header or the query string. */
export function tokenOf(headers: Headers, url: string): string | null {
  const header = headers.get(TOKEN_HEADER);
  if (header) return header;
  const q = url.indexOf('?');
  return q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('token');
}
