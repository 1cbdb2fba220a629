import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';
import { acceptedEncodings } from './use-graphiql.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** JSON bodies of a complete length only: an event stream or a multipart answer is never held back to be compressed. */
const isJson = (type: string | null): boolean => !!type && (type.startsWith('application/json') || type.startsWith('application/graphql-response+json'));

/**
 * Compresses large JSON answers (GraphiQL's schema introspection is ~50 KB, a page of 100 jobs more) by
 * the request's Accept-Encoding: brotli at a fast quality, else gzip. Small answers, the common case,
 * go out as they are: below `minBytes` compressing costs more CPU than the bytes it saves.
 */
export function useResponseCompression(o: { minBytes: number }): Plugin {
  return {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      const length = Number(response.headers.get('content-length'));
      if (!(length >= o.minBytes) || response.headers.has('content-encoding') || !isJson(response.headers.get('content-type'))) return;
      const accepted = acceptedEncodings(request.headers.get('accept-encoding'));
      const encoding = accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : undefined;
      if (!encoding) return;
      const body = Buffer.from(await response.arrayBuffer());
      const packed =
        encoding === 'br'
          ? await brotli(body, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: 4,
                [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
                [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
              },
            })
          : await gzipAsync(body, { level: 6 });
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('content-encoding', encoding);
      headers.set('content-length', String(packed.length));
      headers.append('vary', 'Accept-Encoding');
      setResponse(new fetchAPI.Response(new Uint8Array(packed.buffer as ArrayBuffer, packed.byteOffset, packed.length), { status: response.status, headers }));
    },
  };
}
