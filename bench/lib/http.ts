import { Agent, request } from 'undici';

/** One shared keep-alive agent for the bench's own (non-autocannon) requests. */
export const agent = new Agent({ connections: 128, keepAliveTimeout: 30_000 });

export interface GqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
  extensions?: Record<string, unknown>;
}

/** POST a GraphQL operation and parse the answer; an answer that is not JSON is an error with code NON_JSON. */
export async function gql(url: string, query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: GqlBody }> {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.body.text();
  try {
    return { status: res.statusCode, body: JSON.parse(text) as GqlBody };
  } catch {
    return { status: res.statusCode, body: { errors: [{ message: `non-JSON answer: ${text.slice(0, 120)}`, extensions: { code: 'NON_JSON' } }] } };
  }
}

/** POST JSON to the sandbox's REST API with the given key headers. */
export async function rest(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}
