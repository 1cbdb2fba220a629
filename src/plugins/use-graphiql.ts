import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

/** Where the page's assets are served; their names carry a content hash, so they never change under one URL. */
export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

type Encoding = 'br' | 'gzip' | 'identity';

interface Asset {
  type: string;
  body: Buffer;
  etag: string;
  gzip: Promise<Buffer>;
  /** Set once brotli is done: until then a caller that also takes gzip gets gzip (brotli at its best takes seconds). */
  br: Buffer | undefined;
  brDone: Promise<Buffer>;
}

interface Bundle {
  /** URL path -> asset. */
  assets: Map<string, Asset>;
  html: string;
  htmlEtag: string;
}

const tag = (body: Buffer | string): string => createHash('sha256').update(body).digest('hex').slice(0, 16);

/** The encodings a request takes, by its Accept-Encoding (a `q=0` refuses one; `*` takes any). */
export function acceptedEncodings(header: string | null): Set<Encoding> {
  const out = new Set<Encoding>(['identity']);
  if (!header) return out;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const refused = q !== undefined && Number(q.slice(2)) === 0;
    const names: Encoding[] = name === '*' ? ['br', 'gzip'] : name === 'br' || name === 'gzip' || name === 'identity' ? [name] : [];
    for (const n of names) refused ? out.delete(n) : out.add(n);
  }
  return out;
}

/** JSON that is safe inside a `<script>` element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function renderPage(options: GraphiQLOptions, url: Record<'js' | 'css' | 'favicon' | 'editorWorkerService' | 'json' | 'graphql', string>): string {
  const workers = { editorWorkerService: url.editorWorkerService, json: url.json, graphql: url.graphql };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${url.favicon}" />
    <link rel="stylesheet" href="${url.css}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      const workers = ${scriptJson(workers)};
      self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (moduleId, label) => workers[label] };
    </script>
    <script src="${url.js}"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${scriptJson(options)});
    </script>
  </body>
</html>
`;
}

/** An asset whose brotli form is made after `after` settles: one at a time, so the pool and memory stay free. */
function makeAsset(body: Buffer, type: string, after: Promise<unknown>): Asset {
  const asset: Asset = {
    type,
    body,
    etag: tag(body),
    gzip: gzipAsync(body, { level: constants.Z_BEST_COMPRESSION }),
    br: undefined,
    brDone: Promise.resolve(body),
  };
  const params = {
    [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
  };
  asset.brDone = after.then(() => brotli(body, { params })).then((b) => (asset.br = b));
  return asset;
}

/**
 * Split the package's inlined GraphiQL (one 9 MB HTML string) into assets named by their content hash,
 * and start compressing them: gzip at once (fast), brotli at its best quality one asset after another
 * on the libuv pool (about 15 s of one core for all of it, once per process, off the event loop).
 */
async function loadBundle(options: GraphiQLOptions): Promise<Bundle> {
  const m = await import('@graphql-yoga/render-graphiql/graphiql');
  const icon = /^data:([^;,]+);base64,(.*)$/s.exec(m.favicon);
  const parts = {
    js: { body: Buffer.from(m.js), type: 'text/javascript; charset=utf-8', ext: 'js' },
    css: { body: Buffer.from(m.css), type: 'text/css; charset=utf-8', ext: 'css' },
    editorWorkerService: { body: Buffer.from(m.editorWorkerService), type: 'text/javascript; charset=utf-8', ext: 'js' },
    json: { body: Buffer.from(m.jsonWorker), type: 'text/javascript; charset=utf-8', ext: 'js' },
    graphql: { body: Buffer.from(m.graphqlWorker), type: 'text/javascript; charset=utf-8', ext: 'js' },
    favicon: { body: icon ? Buffer.from(icon[2] ?? '', 'base64') : Buffer.from(m.favicon), type: icon?.[1] ?? 'image/x-icon', ext: 'ico' },
  };
  const assets = new Map<string, Asset>();
  const url = {} as Record<keyof typeof parts, string>;
  let previous: Promise<unknown> = Promise.resolve();
  // Smallest first: the icon, the workers and the styles are packed in seconds, the main script last.
  const bySize = (Object.entries(parts) as [keyof typeof parts, (typeof parts)[keyof typeof parts]][]).sort((a, b) => a[1].body.length - b[1].body.length);
  for (const [name, p] of bySize) {
    const asset = makeAsset(p.body, p.type, previous);
    previous = asset.brDone;
    url[name] = `${GRAPHIQL_ASSET_PREFIX}${name}.${asset.etag}.${p.ext}`;
    assets.set(url[name], asset);
  }
  const html = renderPage(options, url);
  return { assets, html, htmlEtag: `"${tag(html)}"` };
}

/** The encoding to send: brotli once it is ready, gzip meanwhile, identity when neither is taken. */
function chooseEncoding(asset: Asset, accepted: Set<Encoding>): Encoding {
  if (accepted.has('br') && (asset.br || !accepted.has('gzip'))) return 'br';
  return accepted.has('gzip') ? 'gzip' : 'identity';
}

const bodyOf = (asset: Asset, encoding: Encoding): Buffer | Promise<Buffer> =>
  encoding === 'br' ? (asset.br ?? asset.brDone) : encoding === 'gzip' ? asset.gzip : asset.body;

const etagOf = (asset: Asset, encoding: Encoding): string =>
  encoding === 'identity' ? `"${asset.etag}"` : `"${asset.etag}-${encoding === 'br' ? 'br' : 'gz'}"`;

/** Whether If-None-Match names a tag of this content (any of its encodings: they decode to the same bytes). */
function isFresh(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const base = etag.replace(/"$/, '');
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === '*' || v === etag || v.startsWith(`${base}-`);
  });
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface GraphiQLPluginOptions {
  /** The GraphQL endpoint the page is served on (GET with `Accept: text/html`). */
  endpoint: string;
  options: GraphiQLOptions;
}

/**
 * GraphiQL from the installed package, no CDN: a small page rendered once, and its scripts, styles,
 * Monaco workers and icon as separate assets under content-hashed URLs (cached for a year, immutable),
 * each with an ETag (304 on If-None-Match) and compressed by Accept-Encoding. Nothing is loaded before
 * the first GraphiQL request (the package is ~9 MB of strings).
 */
export function useGraphiQL(o: GraphiQLPluginOptions): Plugin {
  let bundle: Promise<Bundle> | undefined;
  const load = () => {
    bundle ??= loadBundle(o.options);
    return bundle;
  };
  const endpoints = new Set([o.endpoint, `${o.endpoint}/`]);
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const path = url.pathname;
      const method = request.method;
      if (endpoints.has(path)) {
        if (method !== 'GET' || !request.headers.get('accept')?.includes('text/html')) return;
        const b = await load();
        const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', etag: b.htmlEtag, vary: 'Accept' };
        endResponse(
          isFresh(request.headers.get('if-none-match'), b.htmlEtag)
            ? new fetchAPI.Response(null, { status: 304, headers })
            : new fetchAPI.Response(b.html, { headers }),
        );
        return;
      }
      if (!path.startsWith(GRAPHIQL_ASSET_PREFIX) || (method !== 'GET' && method !== 'HEAD')) return;
      const asset = (await load()).assets.get(path);
      if (!asset) {
        endResponse(new fetchAPI.Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } }));
        return;
      }
      const encoding = chooseEncoding(asset, acceptedEncodings(request.headers.get('accept-encoding')));
      const headers: Record<string, string> = {
        'content-type': asset.type,
        'cache-control': IMMUTABLE,
        etag: etagOf(asset, encoding),
        vary: 'Accept-Encoding',
      };
      if (isFresh(request.headers.get('if-none-match'), `"${asset.etag}"`)) {
        endResponse(new fetchAPI.Response(null, { status: 304, headers }));
        return;
      }
      const body = await bodyOf(asset, encoding);
      if (encoding !== 'identity') headers['content-encoding'] = encoding;
      headers['content-length'] = String(body.length);
      endResponse(new fetchAPI.Response(method === 'HEAD' ? null : new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length), { headers }));
    },
  };
}
