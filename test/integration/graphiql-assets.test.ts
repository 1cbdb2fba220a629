import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedEncodings } from '../../src/plugins/use-graphiql.js';
import { startStack, type Stack } from '../helpers/stack.js';

const html = { accept: 'text/html' };

async function assetUrls(stack: Stack): Promise<string[]> {
  const page = await (await stack.app.yoga.fetch('http://localhost/graphql', { headers: html })).text();
  return [...page.matchAll(/"(\/graphiql\/[^"]+)"/g)].map((m) => m[1] ?? '');
}

describe('GraphiQL assets', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  it('renders a small page that links six hashed assets and nothing inlined', async () => {
    const res = await stack.app.yoga.fetch('http://localhost/graphql', { headers: html });
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const text = await res.text();
    expect(text.length).toBeLessThan(4_000);
    expect(text).toContain('<title>JobsPikr GraphQL</title>');
    expect(text).toContain('SeedExample');
    const urls = await assetUrls(stack);
    expect(urls).toHaveLength(6);
    for (const u of urls) expect(u).toMatch(/^\/graphiql\/[A-Za-z]+\.[0-9a-f]{16}\.(js|css|ico)$/);
    expect(stack.calls()).toBe(0);
  });

  it('serves each asset by Accept-Encoding: gzip, brotli or as it is, all decoding to the same bytes', { timeout: 120_000 }, async () => {
    // a Monaco worker: brotli at its best quality takes about a second for it (the main script takes ten)
    const js = (await assetUrls(stack)).find((u) => u.startsWith('/graphiql/editorWorkerService.')) ?? 'missing';
    const get = (encoding?: string) => stack.app.yoga.fetch(`http://localhost${js}`, { headers: encoding ? { 'accept-encoding': encoding } : {} });
    const plain = await get();
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const raw = Buffer.from(await plain.arrayBuffer());
    expect(raw.length).toBeGreaterThan(400_000);
    const gz = await get('gzip');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('vary')).toBe('Accept-Encoding');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).equals(raw)).toBe(true);
    // brotli alone: the request waits for it rather than get what it did not ask for
    const br = await get('br');
    expect(br.headers.get('content-encoding')).toBe('br');
    const packed = Buffer.from(await br.arrayBuffer());
    expect(packed.length).toBeLessThan(raw.length / 4);
    expect(brotliDecompressSync(packed).equals(raw)).toBe(true);
    // once brotli is made, it is preferred whenever both are taken
    expect((await get('gzip, deflate, br')).headers.get('content-encoding')).toBe('br');
    expect((await get('br;q=0, gzip')).headers.get('content-encoding')).toBe('gzip');
    expect(br.headers.get('etag')).not.toBe(gz.headers.get('etag'));
  });

  it('answers HEAD with the headers only, and an unknown asset with 404', async () => {
    const css = (await assetUrls(stack)).find((u) => u.startsWith('/graphiql/css.')) ?? 'missing';
    const head = await stack.app.yoga.fetch(`http://localhost${css}`, { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100_000);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    expect((await stack.app.yoga.fetch('http://localhost/graphiql/js.0000000000000000.js')).status).toBe(404);
  });

  it('compresses a large JSON answer (the schema introspection) for a client that takes it, and leaves small ones alone', async () => {
    const body = JSON.stringify({ query: getIntrospectionQuery() });
    const post = (encoding: string | undefined, b = body) =>
      stack.app.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(encoding && { 'accept-encoding': encoding }) },
        body: b,
      });
    const plain = await post(undefined);
    expect(plain.headers.get('content-encoding')).toBeNull();
    const text = await plain.text();
    expect(text.length).toBeGreaterThan(16_384);
    const gz = await post('gzip');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const zipped = Buffer.from(await gz.arrayBuffer());
    expect(zipped.length).toBeLessThan(text.length / 4);
    expect(gunzipSync(zipped).toString('utf8')).toBe(text);
    const br = await post('br, gzip');
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString('utf8')).toBe(text);
    const small = await post('gzip, br', JSON.stringify({ query: '{ __typename }' }));
    expect(small.headers.get('content-encoding')).toBeNull();
    expect(((await small.json()) as { data: unknown }).data).toEqual({ __typename: 'Query' });
  });

  it('reads Accept-Encoding with weights and wildcards', () => {
    expect([...acceptedEncodings('gzip, deflate, br, zstd')].sort()).toEqual(['br', 'gzip', 'identity']);
    expect([...acceptedEncodings('br;q=0, gzip;q=0.5')].sort()).toEqual(['gzip', 'identity']);
    expect([...acceptedEncodings('*')].sort()).toEqual(['br', 'gzip', 'identity']);
    expect([...acceptedEncodings('*, gzip;q=0')].sort()).toEqual(['br', 'identity']);
    expect([...acceptedEncodings(null)]).toEqual(['identity']);
  });
});

describe('GRAPHIQL=false', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { GRAPHIQL: 'false' } });
  });
  afterAll(async () => stack?.close());

  it('serves no page and no assets; GraphQL answers as before', async () => {
    const res = await stack.app.yoga.fetch('http://localhost/graphql', { headers: html });
    expect(res.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(await res.text()).not.toContain('<html');
    const asset = await stack.app.yoga.fetch('http://localhost/graphiql/js.0000000000000000.js');
    expect(asset.headers.get('content-type') ?? '').not.toMatch(/javascript/);
    const q = await stack.gql('{ __typename }');
    expect(q.body.data).toEqual({ __typename: 'Query' });
  });
});
