import { IncomingMessage } from 'node:http';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

const tooLarge = () => createGraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });

/** The body as bytes, refused (413) as soon as more than `limit` bytes have arrived. */
async function readLimited(req: Request, limit: number): Promise<BodyInit> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limit) throw tooLarge();
      chunks.push(chunk);
    }
  }
  return new Blob(chunks as BlobPart[]);
}

/**
 * Request bodies over `limit` bytes get 413, with or without Content-Length. yoga's own limit pipes
 * every body through a TransformStream and a new Request (a tenth of the CPU of a small request);
 * a body that came through Node's HTTP parser with a valid Content-Length is exactly that long
 * (the parser frames it; Content-Length with chunked encoding is refused), so only the header is
 * checked then. Anything else (chunked, or a Request handed to `yoga.fetch`) is counted on the stream.
 * Registered after every request parser, so it wraps whichever one is chosen.
 */
export function useBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, serverContext, fetchAPI }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!/^\d+$/.test(length)) {
          throw createGraphQLError('Content-Length header is invalid.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
        }
        if (Number(length) > limit) throw tooLarge();
        if ((serverContext as { req?: unknown }).req instanceof IncomingMessage) return;
      }
      if (!requestParser || request.body === null) return;
      const parse = requestParser;
      setRequestParser(async (req) => parse(new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, body: await readLimited(req, limit) })));
    },
  };
}
