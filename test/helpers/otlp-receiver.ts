import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as the receiver decoded it, from OTLP/HTTP JSON or protobuf alike (ids in hex). */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string; attributes: Record<string, unknown> }[];
  serviceName: unknown;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  /** Content types of the export requests, in order. */
  contentTypes: string[];
  /** Spans of one trace, polled until `count` have arrived. */
  trace(traceId: string, count: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

// ---- protobuf wire format (enough of opentelemetry/proto/trace/v1 to read spans) ----------------

type Field = { no: number; wire: number; int: bigint; bytes: Buffer };

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let shift = 0n;
    let v = 0n;
    for (;;) {
      const b = buf[i++] ?? 0;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, int: varint(), bytes: Buffer.alloc(0) });
    else if (wire === 1) {
      out.push({ no, wire, int: buf.readBigUInt64LE(i), bytes: buf.subarray(i, i + 8) });
      i += 8;
    } else if (wire === 5) {
      out.push({ no, wire, int: BigInt(buf.readUInt32LE(i)), bytes: buf.subarray(i, i + 4) });
      i += 4;
    } else if (wire === 2) {
      const len = Number(varint());
      out.push({ no, wire, int: 0n, bytes: buf.subarray(i, i + len) });
      i += len;
    } else throw new Error(`protobuf wire type ${wire} not expected in OTLP`);
  }
  return out;
}

const sub = (f: Field[], no: number) => f.filter((x) => x.no === no).map((x) => fields(x.bytes));
const str = (f: Field[], no: number) => f.find((x) => x.no === no)?.bytes.toString('utf8') ?? '';
const hex = (f: Field[], no: number) => f.find((x) => x.no === no)?.bytes.toString('hex') ?? '';

function anyValue(f: Field[]): unknown {
  const v = f[0];
  if (!v) return undefined;
  if (v.no === 1) return v.bytes.toString('utf8');
  if (v.no === 2) return v.int !== 0n;
  if (v.no === 3) return Number(BigInt.asIntN(64, v.int));
  if (v.no === 4) return v.bytes.readDoubleLE(0);
  if (v.no === 5) return sub(fields(v.bytes), 1).map(anyValue);
  return undefined;
}

const attrsPb = (kvs: Field[][]): Record<string, unknown> => Object.fromEntries(kvs.map((kv) => [str(kv, 1), anyValue(sub(kv, 2)[0] ?? [])]));

function decodeProtobuf(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of sub(fields(body), 1)) {
    const serviceName = attrsPb(sub(sub(rs, 1)[0] ?? [], 1))['service.name'];
    for (const ss of sub(rs, 2)) {
      for (const s of sub(ss, 2)) {
        spans.push({
          traceId: hex(s, 1),
          spanId: hex(s, 2),
          parentSpanId: hex(s, 4),
          name: str(s, 5),
          kind: Number(s.find((x) => x.no === 6)?.int ?? 0n),
          attributes: attrsPb(sub(s, 9)),
          links: sub(s, 13).map((l) => ({ traceId: hex(l, 1), spanId: hex(l, 2), attributes: attrsPb(sub(l, 4)) })),
          serviceName,
        });
      }
    }
  }
  return spans;
}

// ---- OTLP/JSON ------------------------------------------------------------------------------------

interface JsonKv {
  key: string;
  value: Record<string, unknown>;
}
const jsonValue = (v: Record<string, unknown>): unknown => {
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(jsonValue);
  return undefined;
};
const attrsJson = (kvs: JsonKv[] | undefined) => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, jsonValue(kv.value)]));

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: JsonKv[];
  links?: { traceId: string; spanId: string; attributes?: JsonKv[] }[];
}
interface JsonExport {
  resourceSpans: { resource?: { attributes?: JsonKv[] }; scopeSpans: { spans: JsonSpan[] }[] }[];
}

function decodeJson(body: Buffer): ReceivedSpan[] {
  const doc = JSON.parse(body.toString('utf8')) as JsonExport;
  return doc.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? '',
        name: s.name,
        kind: s.kind,
        attributes: attrsJson(s.attributes),
        links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: attrsJson(l.attributes) })),
        serviceName: attrsJson(rs.resource?.attributes)['service.name'],
      })),
    ),
  );
}

/** A real OTLP/HTTP trace receiver (POST /v1/traces), decoding both encodings the exporters send. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const type = req.headers['content-type'] ?? '';
      contentTypes.push(type);
      const body = Buffer.concat(chunks);
      try {
        spans.push(...(type.includes('json') ? decodeJson(body) : decodeProtobuf(body)));
        res.writeHead(200, { 'content-type': type.includes('json') ? 'application/json' : 'application/x-protobuf' }).end(type.includes('json') ? '{}' : '');
      } catch (e) {
        res.writeHead(400).end(String(e));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    spans,
    contentTypes,
    async trace(traceId, count) {
      for (let i = 0; i < 200; i++) {
        const mine = spans.filter((s) => s.traceId === traceId);
        if (mine.length >= count) return mine;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`trace ${traceId}: fewer than ${count} spans arrived (${spans.filter((s) => s.traceId === traceId).length})`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
