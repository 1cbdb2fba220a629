import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Trusted documents by id (bare sha256 hex of the document text). */
export type TrustedDocuments = ReadonlyMap<string, string>;

const Manifest = z.record(z.string(), z.string().min(1));
const HEX = /^[0-9a-f]{64}$/;

/**
 * The document id a client sent, as the bare hex the manifest is keyed by: `sha256:<hex>` (GraphQL
 * over HTTP, graphql-codegen's client preset) or the bare hex. Anything else is no id at all.
 */
export function documentKey(id: string): string | undefined {
  const hex = id.startsWith('sha256:') ? id.slice('sha256:'.length) : id;
  return HEX.test(hex) ? hex : undefined;
}

/**
 * Read a `persisted-documents.json` as graphql-codegen's client preset writes it (`{"sha256:<hex>":
 * "<document>"}`). Every id must be the sha256 of its document: a manifest edited by hand so an id
 * points at another document is refused at start-up, not served.
 */
export function loadTrustedDocuments(path: string): TrustedDocuments {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`TRUSTED_DOCUMENTS_FILE: cannot read ${path} as JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) throw new Error(`TRUSTED_DOCUMENTS_FILE: ${path} is not an object of document id -> document text`);
  const docs = new Map<string, string>();
  for (const [id, text] of Object.entries(parsed.data)) {
    const key = documentKey(id);
    if (!key) throw new Error(`TRUSTED_DOCUMENTS_FILE: "${id}" is not a sha256 document id`);
    if (createHash('sha256').update(text).digest('hex') !== key) throw new Error(`TRUSTED_DOCUMENTS_FILE: "${id}" is not the sha256 of its document`);
    docs.set(key, text);
  }
  return docs;
}
