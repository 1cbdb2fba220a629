import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeedExampleAnswer } from '../helpers/seed-example.js';
import { startStack, type Stack } from '../helpers/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // No name resolves except loopback: exactly a machine with no internet. (Playwright's request routing
  // would do it too, but routing turns the browser's HTTP cache off, and the revisit below needs it.)
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** One answer as the server wrote it to the socket. */
interface Served {
  method: string;
  path: string;
  status: number;
  /** Bytes written to the connection for this answer, headers included: what crossed the wire. */
  wireBytes: number;
}

/** One answer as the browser received it (page and workers alike), with its headers. */
interface Received {
  url: string;
  status: number;
  headers: Record<string, string>;
}

const ASSET = /\/graphiql\/[A-Za-z]+\.[0-9a-f]{16}\.(js|css|ico)$/;
const assetNames = (xs: Received[]) => [...new Set(xs.filter((r) => ASSET.test(r.url)).map((r) => new URL(r.url).pathname.split('.')[0]))].sort();
const wire = (xs: Served[]) => xs.reduce((n, s) => n + s.wireBytes, 0);

/** Only the page's own origin and in-page URLs (data:, blob: workers) are allowed: no CDN, no internet. */
function isLocal(url: string, origin: string): boolean {
  return url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith(`blob:${origin}/`);
}

/** Visible text of one of GraphiQL's editors (Monaco renders spaces as U+00A0). */
async function editorText(page: Page, selector: '.graphiql-response' | '.graphiql-query-editor'): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText() is the text as laid out (Monaco's lines on lines), which textContent would run together
  return (await page.locator(selector).innerText()).replace(/\u00a0/g, ' ');
}

describe('GraphiQL in a real headless browser', () => {
  let stack: Stack;
  let http: Server;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const blocked: string[] = [];
  const pageErrors: string[] = [];
  const served: Served[] = [];
  const received: Received[] = [];
  let firstVisit: { served: Served[]; received: Received[] } = { served: [], received: [] };

  beforeAll(async () => {
    stack = await startStack();
    http = createServer((req, res) => {
      // Browsers do not pipeline: what the socket takes from here to 'finish' is this answer alone.
      const before = req.socket.bytesWritten;
      res.on('finish', () =>
        served.push({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode, wireBytes: req.socket.bytesWritten - before }),
      );
      void stack.app.yoga(req, res);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    expect(existsSync(CHROMIUM)).toBe(true);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    context = await browser.newContext();
    // Anything leaving localhost is recorded (and cannot resolve: see ARGS).
    context.on('request', (r) => {
      requests.push(r.url());
      if (!isLocal(r.url(), origin)) blocked.push(r.url());
    });
    context.on('response', (r) => received.push({ url: r.url(), status: r.status(), headers: r.headers() }));
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
    http?.closeAllConnections();
    await stack?.close();
  });

  it('renders GraphiQL from the package with no request leaving localhost', async () => {
    const res = await page.goto(`${origin}/graphql`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-type']).toMatch(/text\/html/);
    await page.locator('.graphiql-execute-button').waitFor({ state: 'visible' });
    expect(await page.title()).toBe('JobsPikr GraphQL');
    // the default query (the seed example) is open in the first tab
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText(), the tab label as shown
    await expect.poll(() => page.locator('.graphiql-tab-button').first().innerText()).toBe('SeedExample');
    await expect.poll(() => editorText(page, '.graphiql-query-editor')).toMatch(/San Francisco/);
    // GraphiQL introspects the schema over POST /graphql
    await expect.poll(() => requests.filter((u) => u === `${origin}/graphql`).length).toBeGreaterThanOrEqual(2);
    expect(blocked).toEqual([]);
    expect(requests.every((u) => isLocal(u, origin))).toBe(true);
    expect(pageErrors).toEqual([]);
    expect(stack.calls()).toBe(0);
    // the three Monaco workers start once the editors are up
    await expect.poll(() => assetNames(received).length).toBe(6);
    firstVisit = { served: [...served], received: [...received] };
  });

  it('loads the page small and its scripts, styles, workers and icon as compressed, immutable, hashed assets', () => {
    const html = firstVisit.served.find((s) => s.method === 'GET' && s.path === '/graphql');
    expect(html?.status).toBe(200);
    expect(html?.wireBytes).toBeLessThan(4_000);
    const assets = firstVisit.received.filter((s) => ASSET.test(s.url));
    // the main script, the stylesheet, the three Monaco workers (module workers from our origin) and the icon
    expect(assetNames(assets)).toEqual(
      ['/graphiql/css', '/graphiql/editorWorkerService', '/graphiql/favicon', '/graphiql/graphql', '/graphiql/js', '/graphiql/json'].sort(),
    );
    for (const a of assets) {
      expect(a.status, a.url).toBe(200);
      expect(a.headers['content-encoding'], a.url).toMatch(/^(br|gzip)$/);
      expect(a.headers['cache-control'], a.url).toBe('public, max-age=31536000, immutable');
      expect(a.headers.etag, a.url).toMatch(/^"[0-9a-f]{16}-(br|gz)"$/);
    }
    // 9 MB of script and style unpacked in the browser; what crossed the wire is a fraction of it
    // (about 2.4 MB while only gzip is ready, 1.9 MB once brotli is: it is made in the background)
    expect(wire(firstVisit.served)).toBeLessThan(3_000_000);
  });

  it('runs the default query with the run button and shows sandbox jobs in the result pane', async () => {
    stack.sandbox.clearLog();
    const answered = page.waitForResponse(
      (r) => r.url() === `${origin}/graphql` && r.request().method() === 'POST' && (r.request().postData() ?? '').includes('SeedExample'),
    );
    await page.locator('.graphiql-execute-button').click();
    const res = await answered;
    const body = SeedExampleAnswer.parse(await res.json());
    expect(body.errors).toBeUndefined();
    expect(body.data.jobs.totalCount).toBeGreaterThan(0);
    expect(body.data.apiUsage.sandbox).toBe(true);
    const first = body.data.jobs.nodes[0];
    expect(first?.uniqId).toMatch(/^[0-9a-f]{32}$/);
    // the record really came from the sandbox's generated data
    expect(stack.sandbox.jobs.some((j) => j.uniq_id === first?.uniqId)).toBe(true);
    await expect.poll(() => editorText(page, '.graphiql-response')).toContain(`"totalCount": ${body.data.jobs.totalCount}`);
    const text = await editorText(page, '.graphiql-response');
    expect(text).toContain('"jobs"');
    expect(text).toContain(first?.uniqId ?? 'missing');
    expect(text).not.toContain('"errors"');
    expect(stack.calls('data')).toBe(1);
  });

  it('runs it again with Ctrl-Enter from the editor; the repeat is served from cache', async () => {
    stack.sandbox.clearLog();
    const answered = page.waitForResponse(
      (r) => r.url() === `${origin}/graphql` && r.request().method() === 'POST' && (r.request().postData() ?? '').includes('SeedExample'),
    );
    await page.locator('.graphiql-query-editor').click();
    await page.keyboard.press('Control+Enter');
    expect((await answered).status()).toBe(200);
    await expect.poll(() => editorText(page, '.graphiql-response')).toContain('"totalCount"');
    expect(stack.calls()).toBe(0);
    expect(blocked).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('answers a conditional request for the page or an asset with 304', async () => {
    const page = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
    const etag = page.headers.get('etag') ?? 'missing';
    await page.text();
    const again = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html', 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const js = firstVisit.received.find((s) => s.url.includes('/graphiql/js.'));
    const asset = js?.url ?? 'missing';
    const tag = js?.headers.etag ?? 'missing';
    const revalidated = await fetch(asset, { headers: { 'accept-encoding': 'gzip', 'if-none-match': tag } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const other = await fetch(asset, { headers: { 'accept-encoding': 'gzip', 'if-none-match': '"0000000000000000-gz"' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('content-encoding')).toBe('gzip');
    expect((await other.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
  });

  it('serves a revisit from the browser cache, small over the wire, and the seed query still runs', async () => {
    stack.sandbox.clearLog();
    // A revisit comes after the first tab is gone: an open GraphiQL in the same origin keeps writing its
    // tabs to the shared localStorage and would put them back after the clear below.
    await page.close();
    const again = await context.newPage();
    // GraphiQL would reopen the last visit's tabs; a clean slate opens the seed query again
    await again.addInitScript(() => localStorage.clear());
    again.on('pageerror', (e) => pageErrors.push(e.message));
    const from = served.length;
    await again.goto(`${origin}/graphql`, { waitUntil: 'load' });
    await again.locator('.graphiql-execute-button').waitFor({ state: 'visible' });
    await expect.poll(() => editorText(again, '.graphiql-query-editor')).toMatch(/San Francisco/);
    await expect
      .poll(() => received.filter((r) => ASSET.test(r.url)).length)
      .toBeGreaterThanOrEqual(firstVisit.received.filter((r) => ASSET.test(r.url)).length + 5);
    const revisit = served.slice(from);
    // immutable assets are not even revalidated: none of them reaches the server
    expect(revisit.filter((s) => s.path.startsWith('/graphiql/'))).toEqual([]);
    // the page and the schema introspection (compressed) are all that cross the wire
    expect(revisit.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /graphql', 'POST /graphql']);
    expect(wire(revisit)).toBeLessThan(50_000);
    const answered = again.waitForResponse(
      (r) => r.url() === `${origin}/graphql` && r.request().method() === 'POST' && (r.request().postData() ?? '').includes('SeedExample'),
    );
    await again.locator('.graphiql-execute-button').click();
    const body = (await (await answered).json()) as { errors?: unknown; data: { jobs: { totalCount: number } } };
    expect(body.errors).toBeUndefined();
    expect(body.data.jobs.totalCount).toBeGreaterThan(0);
    await expect.poll(() => editorText(again, '.graphiql-response')).toContain(`"totalCount": ${body.data.jobs.totalCount}`);
    console.info(`GraphiQL over the wire: first visit ${wire(firstVisit.served)} B, revisit ${wire(revisit)} B`);
    // the first page already ran this search: the revisit's run is answered from the cache
    expect(stack.calls()).toBe(0);
    expect(blocked).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
