import { getIntrospectionQuery } from 'graphql';
import { request } from 'undici';
import { agent } from '../lib/http.js';

/** What Chromium sends. */
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd';

export interface GraphiQLLoad {
  /** Bytes of status lines, headers and bodies as sent (bodies compressed as they went out). */
  bytes: number;
  /** asset name -> content-encoding it came with */
  encodings: Record<string, string>;
}

export interface GraphiQLResults {
  /** The very first visitor after start: assets are packed on first use, gzip until brotli is made. */
  firstEver: GraphiQLLoad;
  /** Any later first-time visitor (brotli ready). */
  first: GraphiQLLoad;
  /** A returning browser: the page again (browsers re-fetch it, see the browser test) and the schema introspection; assets are cached immutable. */
  revisit: GraphiQLLoad;
  /** ms from the first request until brotli was ready for every asset */
  brotliReadyMs: number;
}

async function fetchCounted(url: string, headers: Record<string, string>, method: 'GET' | 'POST' | 'HEAD' = 'GET', body?: string) {
  const res = await request(url, { method, headers, body, dispatcher: agent });
  const buf = Buffer.from(await res.body.arrayBuffer());
  let headerBytes = `HTTP/1.1 ${res.statusCode} OK\r\n`.length + 2;
  for (const [k, v] of Object.entries(res.headers)) for (const x of Array.isArray(v) ? v : [v]) headerBytes += `${k}: ${x}\r\n`.length;
  return { status: res.statusCode, headers: res.headers, text: buf.toString('utf8'), bytes: headerBytes + buf.length };
}

async function firstLoad(graphqlUrl: string): Promise<GraphiQLLoad & { assets: string[] }> {
  const origin = new URL(graphqlUrl).origin;
  const page = await fetchCounted(graphqlUrl, { accept: 'text/html', 'accept-encoding': BROWSER_ENCODINGS });
  if (page.status !== 200 || !page.text.includes('<html')) throw new Error(`GraphiQL page answered ${page.status}`);
  const assets = [...page.text.matchAll(/"(\/graphiql\/[^"]+)"/g)].map((m) => m[1] ?? '');
  let bytes = page.bytes;
  const encodings: Record<string, string> = {};
  for (const a of assets) {
    const r = await fetchCounted(`${origin}${a}`, { 'accept-encoding': BROWSER_ENCODINGS });
    bytes += r.bytes;
    encodings[a.split('/')[2]?.split('.')[0] ?? a] = String(r.headers['content-encoding'] ?? 'identity');
  }
  return { bytes, encodings, assets };
}

/** The GraphiQL rows: first load (very first and steady) and revisit, over the wire. */
export async function runGraphiQL(graphqlUrl: string): Promise<GraphiQLResults> {
  const t0 = performance.now();
  const firstEver = await firstLoad(graphqlUrl);
  const origin = new URL(graphqlUrl).origin;
  for (;;) {
    const heads = await Promise.all(firstEver.assets.map((a) => fetchCounted(`${origin}${a}`, { 'accept-encoding': 'br, gzip' }, 'HEAD')));
    if (heads.every((h) => h.headers['content-encoding'] === 'br')) break;
    if (performance.now() - t0 > 180_000) throw new Error('brotli never became ready');
    await new Promise((r) => setTimeout(r, 250));
  }
  const brotliReadyMs = performance.now() - t0;
  const first = await firstLoad(graphqlUrl);
  const page = await fetchCounted(graphqlUrl, { accept: 'text/html', 'accept-encoding': BROWSER_ENCODINGS });
  const introspection = await fetchCounted(
    graphqlUrl,
    { 'content-type': 'application/json', accept: 'application/json', 'accept-encoding': BROWSER_ENCODINGS },
    'POST',
    JSON.stringify({ query: getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: true }), operationName: 'IntrospectionQuery' }),
  );
  if (introspection.status !== 200) throw new Error(`introspection answered ${introspection.status}`);
  return {
    firstEver: { bytes: firstEver.bytes, encodings: firstEver.encodings },
    first: { bytes: first.bytes, encodings: first.encodings },
    revisit: {
      bytes: page.bytes + introspection.bytes,
      encodings: {
        page: String(page.headers['content-encoding'] ?? 'identity'),
        introspection: String(introspection.headers['content-encoding'] ?? 'identity'),
      },
    },
    brotliReadyMs,
  };
}
