import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serve, until, type Served } from '../helpers/live.js';
import { startStack, type Stack } from '../helpers/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const SUBSCRIPTION = 'subscription NewJobs { jobPosted(filter: { title: "Okapi" }) { uniqId title } }';

let stack: Stack;
let served: Served;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ env: { LIVE_MIN_POLL_MS: '50', LIVE_MAX_POLL_MS: '200' } });
  served = await serve(stack);
  expect(existsSync(CHROMIUM)).toBe(true);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await stack?.close();
});

it('GraphiQL runs a jobPosted subscription (as in the README) and shows new jobs arriving as the sandbox publishes them', async () => {
  const page = await browser.newPage();
  await page.goto(`${served.url}/graphql?query=${encodeURIComponent(SUBSCRIPTION)}`, { waitUntil: 'load' });
  await page.locator('.graphiql-execute-button').waitFor({ state: 'visible' });
  await page.locator('.graphiql-execute-button').click();
  await until(() => stack.app.live.stats().subscribers === 1 && stack.app.live.stats().polls > 0, 20_000);
  const response = () =>
    page
      .locator('.graphiql-response')
      .textContent()
      .then((t) => t ?? '');
  for (const round of [1, 2]) {
    const [job] = stack.sandbox.publish(1, { job_title: `Okapi keeper ${round}` });
    await expect.poll(response, { timeout: 20_000 }).toContain(job?.uniq_id ?? 'missing');
  }
  await page.close();
  await until(() => stack.app.live.stats().topics === 0);
});
