import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';

// The built server as a process (npm start, embedded sandbox, production mode), spoken to over raw
// sockets: what a hostile client can do to the HTTP layer itself.

const root = fileURLToPath(new URL('../../', import.meta.url));
const MAX_BODY = 2_000;
const MAX_CONNECTIONS = 6;

let child: ChildProcess;
let port: number;
const stdout: string[] = [];

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('JOBSPIKR_') && k !== 'REDIS_URL' && k !== 'REQUIRE_CLIENT_CREDENTIALS') e[k] = v;
  return {
    ...e,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    MAX_BODY_BYTES: String(MAX_BODY),
    HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    HTTP_REQUEST_TIMEOUT_MS: '2000',
    HTTP_HEADERS_TIMEOUT_MS: '1500',
  };
}

interface RawReply {
  status: number;
  headers: string;
  body: string;
}

/** Write `head` (and `body`) on a fresh socket; resolve with what came back when the server ends it or answers fully. */
function raw(head: string, body = '', o: { keep?: (s: Socket) => void } = {}): Promise<RawReply | 'closed'> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    let text = '';
    const finish = () => {
      s.destroy();
      const at = text.indexOf('\r\n\r\n');
      if (at < 0) return resolve('closed');
      const headers = text.slice(0, at);
      let rest = text.slice(at + 4);
      // Chunked answers: join the chunks.
      if (/transfer-encoding: chunked/i.test(headers)) {
        let joined = '';
        for (;;) {
          const nl = rest.indexOf('\r\n');
          const size = Number.parseInt(rest.slice(0, nl), 16);
          if (!size) break;
          joined += rest.slice(nl + 2, nl + 2 + size);
          rest = rest.slice(nl + 2 + size + 2);
        }
        rest = joined;
      }
      resolve({ status: Number(headers.split(' ')[1]), headers, body: rest });
    };
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      text += d;
      const at = text.indexOf('\r\n\r\n');
      if (at < 0) return;
      const len = /content-length: (\d+)/i.exec(text.slice(0, at))?.[1];
      if (len !== undefined && text.length - at - 4 >= Number(len)) finish();
      if (/transfer-encoding: chunked/i.test(text.slice(0, at)) && text.endsWith('0\r\n\r\n')) finish();
    });
    s.on('close', finish);
    s.on('error', () => undefined);
    s.once('connect', () => {
      s.write(head);
      if (body) s.write(body);
      o.keep?.(s);
    });
  });
}

const post = (host: string, path: string, body: string) =>
  `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

beforeAll(async () => {
  port = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], { cwd: root, env: env(), stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout?.setEncoding('utf8').on('data', (d: string) => stdout.push(d));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited early with ${child.exitCode}`);
    const r = await raw(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    if (r !== 'closed' && r.status === 200) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('server never became healthy');
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
});

describe('the Host header cannot move the path (finding 8)', () => {
  const query = JSON.stringify({ query: '{ __typename }' });

  it('Host `x/metrics?` on POST /graphql gets 400, not Prometheus output', async () => {
    const r = await raw(post('x/metrics?', '/graphql', query));
    expect(r).not.toBe('closed');
    if (r === 'closed') return;
    expect(r.status).toBe(400);
    expect(r.body).not.toMatch(/# HELP|# TYPE/);
    expect(JSON.parse(r.body)).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    // The same request with a proper Host is GraphQL, and /metrics is Prometheus: the 400 was the Host.
    const ok = await raw(post(`127.0.0.1:${port}`, '/graphql', query));
    expect(ok !== 'closed' && JSON.parse(ok.body)).toEqual({ data: { __typename: 'Query' }, extensions: expect.any(Object) });
    const metrics = await raw(`GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(metrics !== 'closed' && metrics.body).toMatch(/# TYPE/);
  });

  it('Host `x/graphql?` does not run GraphQL on another path', async () => {
    const r = await raw(post('x/graphql?', '/somewhere-else', query));
    expect(r !== 'closed' && r.status).toBe(400);
    expect(r !== 'closed' && r.body).not.toMatch(/__typename|"data"/);
    const get = await raw(`GET /other?query=%7B__typename%7D HTTP/1.1\r\nHost: x/graphql?\r\nConnection: close\r\n\r\n`);
    expect(get !== 'closed' && get.status).toBe(400);
    expect(get !== 'closed' && get.body).not.toMatch(/"data"/);
    for (const host of ['x y', 'x:port', 'x\\graphql', 'a@b', 'x#/metrics']) {
      const bad = await raw(post(host, '/graphql', query));
      expect(bad !== 'closed' && bad.status).toBe(400);
    }
  });
});

describe('bodies (finding 9)', () => {
  it('an invalid JSON body is not echoed back in production', async () => {
    const junk = `{"query": "{ __typename }" ${'SECRET-LOOKING-TEXT '.repeat(80)}`;
    const r = await raw(post(`127.0.0.1:${port}`, '/graphql', junk.slice(0, MAX_BODY - 10)));
    expect(r !== 'closed' && r.status).toBe(400);
    if (r === 'closed') return;
    expect(r.body).not.toMatch(/SECRET-LOOKING-TEXT/);
    expect(r.body).not.toMatch(/originalError/);
    expect(r.body.length).toBeLessThan(300);
    expect(JSON.parse(r.body)).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('a chunked body over MAX_BODY_BYTES gets a 413 answer, not a closed connection', async () => {
    const chunk = 'x'.repeat(1_000);
    const chunks = Array.from({ length: 200 }, () => `${(1_000).toString(16)}\r\n${chunk}\r\n`).join('');
    const head = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const r = await raw(head, `${chunks}0\r\n\r\n`);
    expect(r).not.toBe('closed');
    if (r === 'closed') return;
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('a chunked body within the limit is served', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const head = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    const r = await raw(head, `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    expect(r !== 'closed' && JSON.parse(r.body)).toMatchObject({ data: { __typename: 'Query' } });
  });
});

describe('slow and many clients (finding 9)', () => {
  it('a body that never finishes is answered 408 and its socket freed (HTTP_REQUEST_TIMEOUT_MS)', async () => {
    const head = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n`;
    const r = await raw(head, '{"query": "{ __typ');
    expect(r !== 'closed' && r.status).toBe(408);
  });

  it('headers that never finish: the socket is closed (HTTP_HEADERS_TIMEOUT_MS)', async () => {
    const r = await raw(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
    // Node answers 408 when it can; either way the socket does not stay open.
    expect(r === 'closed' || r.status === 408).toBe(true);
  });

  it('connections past HTTP_MAX_CONNECTIONS are closed at once; the server answers again when they go', async () => {
    const held: Socket[] = [];
    // Hold the cap's worth of sockets open (each has sent half a request line).
    for (let i = 0; i < MAX_CONNECTIONS; i++) {
      const s = connect({ port, host: '127.0.0.1' });
      s.on('error', () => undefined);
      await once(s, 'connect');
      s.write('GET /healthz HTTP/1.1\r\n');
      held.push(s);
    }
    await new Promise((res) => setTimeout(res, 50));
    const refused = await raw(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(refused).toBe('closed');
    for (const s of held) s.destroy();
    await new Promise((res) => setTimeout(res, 50));
    const after = await raw(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(after !== 'closed' && after.status).toBe(200);
  });
});
