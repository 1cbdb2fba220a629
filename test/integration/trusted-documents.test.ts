import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrustedDocuments } from '../../src/ops/trusted-documents.js';
import { JobLookupDocument, SearchJobsDocument } from '../generated/graphql.js';
import { startStack, type Stack } from '../helpers/stack.js';

const MANIFEST = fileURLToPath(new URL('../generated/persisted-documents.json', import.meta.url));
/** The id codegen gave a generated document (its `__meta__.hash`, which the generated types do not declare). */
const idOf = (doc: object): string => {
  const meta: unknown = Reflect.get(doc, '__meta__');
  const hash: unknown = typeof meta === 'object' && meta !== null ? Reflect.get(meta, 'hash') : undefined;
  if (typeof hash !== 'string') throw new Error('codegen wrote no persisted document hash');
  return hash;
};
const searchId = idOf(SearchJobsDocument);
const lookupId = idOf(JobLookupDocument);

interface Body {
  data?: { jobs?: { edges: unknown[] }; jobsByUniqIds?: unknown[] } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post(stack: Stack, body: unknown): Promise<{ status: number; body: Body }> {
  const res = await stack.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Body };
}

const SEARCH_VARS = { filter: { keywords: 'engineer' }, first: 2 };

describe('trusted documents only (TRUSTED_DOCUMENTS_ONLY=true, the manifest codegen writes)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { TRUSTED_DOCUMENTS_FILE: MANIFEST, TRUSTED_DOCUMENTS_ONLY: 'true' } });
  });
  afterAll(() => stack.close());

  it('runs a manifest document named by {"documentId": "sha256:<hex>"}', async () => {
    expect(searchId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const { status, body } = await post(stack, { documentId: searchId, variables: SEARCH_VARS });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.jobs?.edges).toHaveLength(2);
  });

  it('takes the bare hex, Apollo persistedQuery extensions, and a GET documentId as well', async () => {
    const hex = lookupId.slice('sha256:'.length);
    const uniqId = stack.sandbox.jobs[0]?.uniq_id;
    const vars = { uniqIds: [uniqId] };
    const bare = await post(stack, { documentId: hex, variables: vars });
    const apollo = await post(stack, { variables: vars, extensions: { persistedQuery: { version: 1, sha256Hash: hex } } });
    const get = await stack.app.yoga.fetch(
      `http://localhost/graphql?documentId=${encodeURIComponent(lookupId)}&variables=${encodeURIComponent(JSON.stringify(vars))}`,
      {
        headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
      },
    );
    for (const r of [bare.body, apollo.body, (await get.json()) as Body]) {
      expect(r.errors).toBeUndefined();
      expect(r.data?.jobsByUniqIds).toEqual([expect.objectContaining({ uniqId })]);
    }
  });

  it('refuses any other document with PERSISTED_QUERY_ONLY before parsing it, with no upstream call', async () => {
    stack.sandbox.clearLog();
    const same = await post(stack, { query: '{ jobs(first: 100) { totalCount } }' });
    const broken = await post(stack, { query: '{ this is not graphql' });
    const batch = await post(stack, [{ documentId: searchId, variables: SEARCH_VARS }, { query: '{ __typename }' }]);
    for (const r of [same, broken]) {
      expect(r.status).toBe(400);
      expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_ONLY']);
      expect(r.body.data).toBeUndefined();
    }
    // A syntax error would say "Syntax Error": the document was never parsed.
    expect(broken.body.errors?.[0]?.message).not.toMatch(/Syntax/);
    expect(JSON.stringify(batch.body)).toContain('PERSISTED_QUERY_ONLY');
    expect(stack.sandbox.log.filter((e) => e.clientId !== null)).toHaveLength(0);
  });

  it('answers an unknown id with PERSISTED_QUERY_NOT_FOUND and no upstream call', async () => {
    stack.sandbox.clearLog();
    const unknown = await post(stack, { documentId: `sha256:${'0'.repeat(64)}` });
    const notAnId = await post(stack, { documentId: 'SearchJobs' });
    for (const r of [unknown, notAnId]) expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(stack.sandbox.log).toHaveLength(0);
  });
});

describe('trusted documents beside arbitrary ones (a manifest, TRUSTED_DOCUMENTS_ONLY unset)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { TRUSTED_DOCUMENTS_FILE: MANIFEST } });
  });
  afterAll(() => stack.close());

  it('runs both a query and a documentId', async () => {
    const byId = await post(stack, { documentId: searchId, variables: SEARCH_VARS });
    const byText = await stack.gql('{ jobs(filter: { keywords: "engineer" }, first: 1) { edges { cursor } } }');
    expect(byId.body.data?.jobs?.edges).toHaveLength(2);
    expect(byText.body.errors).toBeUndefined();
  });
});

describe('the manifest at start-up', () => {
  it('refuses an id that is not the sha256 of its document', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jpg-manifest-'));
    const file = join(dir, 'persisted-documents.json');
    writeFileSync(file, JSON.stringify({ [searchId]: '{ jobs(first: 100) { totalCount } }' }));
    expect(() => loadTrustedDocuments(file)).toThrow(/is not the sha256 of its document/);
    writeFileSync(file, '[1, 2]');
    expect(() => loadTrustedDocuments(file)).toThrow(/not an object/);
  });

  it('loads every operation of test/documents that codegen wrote', () => {
    const dir = fileURLToPath(new URL('../documents/', import.meta.url));
    const operations = readdirSync(dir)
      .filter((f) => f.endsWith('.graphql'))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').match(/^(query|mutation|subscription)\b/gm) ?? []);
    expect(operations.length).toBeGreaterThan(0);
    expect(loadTrustedDocuments(MANIFEST).size).toBe(operations.length);
  });
});
