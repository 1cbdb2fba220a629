import { IncomingMessage } from 'node:http';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

const tooLarge = () => createGraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });

/**
 * A chunked body read straight off Node's request, refused (413) past `limit` bytes. The rest is then
 * read and dropped (the stream flows with no listener): destroying the request instead would reset
 * the socket before the 413 is written, so the client would see no answer. The HTTP server's request
 * timeout bounds how long a client may go on sending.
 */
function readNodeLimited(incoming: IncomingMessage, limit: number): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) return void chunks.push(chunk);
      incoming.off('data', onData);
      incoming.resume();
      reject(tooLarge());
    };
    incoming.on('data', onData);
    incoming.once('end', () => resolve(new Blob(chunks as BlobPart[])));
    incoming.once('error', reject);
  });
}

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
 * checked then. A chunked body is counted as it arrives (off Node's request, or the stream of a Request
 * handed to `yoga.fetch`).
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
      }
      const incoming = (serverContext as { req?: unknown }).req;
      const fromNode = incoming instanceof IncomingMessage;
      if (length !== null && fromNode) return;
      if (!requestParser || request.body === null) return;
      const parse = requestParser;
      const read = fromNode ? () => readNodeLimited(incoming, limit) : (req: Request) => readLimited(req, limit);
      setRequestParser(async (req) => parse(new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, body: await read(req) })));
    },
  };
}
