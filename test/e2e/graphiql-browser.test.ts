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
];

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

  beforeAll(async () => {
    stack = await startStack();
    http = createServer(stack.app.yoga);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    expect(existsSync(CHROMIUM)).toBe(true);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    context = await browser.newContext();
    // Anything leaving localhost is recorded and refused, exactly as on a machine with no internet.
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (isLocal(url, origin)) await route.continue();
      else {
        blocked.push(url);
        await route.abort('internetdisconnected');
      }
    });
    context.on('request', (r) => requests.push(r.url()));
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
});
