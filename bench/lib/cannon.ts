import autocannon from 'autocannon';

export interface CannonRun {
  /** successful (2xx) responses per second */
  rps: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** 2xx answers whose body carries GraphQL `errors` */
  gqlErrors: number;
  seconds: number;
}

/** Drive `url` with autocannon for `seconds`; every request body comes from `next()` (so it can be unique). */
export async function cannon(o: {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  next: () => string;
}): Promise<CannonRun> {
  let gqlErrors = 0;
  const r = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...o.headers },
    requests: [
      {
        setupRequest: (req) => ({ ...req, body: o.next() }),
        onResponse: (status, body) => {
          if (status === 200 && body.includes('"errors"')) gqlErrors++;
        },
      },
    ],
  });
  return { rps: r['2xx'] / o.seconds, ok: r['2xx'], non2xx: r.non2xx, errors: r.errors + r.timeouts, gqlErrors, seconds: o.seconds };
}
