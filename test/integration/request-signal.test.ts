import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

// Every resolver waiting on an upstream flight listens for the request's end on the request's signal,
// and one operation may wait on dozens (aliases of one search join one flight). Those listeners are
// removed as each flight settles, so Node's "possible memory leak" warning past 10 is noise: one stderr
// line per such request. Requests go through `yoga.fetch` here, with a plain AbortSignal (the Node
// adapter's own signals have no limit).
describe("the request's abort signal", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ sandbox: { jobCount: 300 } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('takes a listener per flight an operation waits on, without a leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const fields = Array.from({ length: 20 }, (_, i) => `a${i}: jobs(first: 2, filter: { keywords: "analyst" }) { totalCount }`);
      const r = await s.gql(`{ ${fields.join(' ')} }`);
      expect(r.body.errors).toBeUndefined();
      expect(Object.keys(r.body.data ?? {})).toHaveLength(20);
      expect(s.calls('data')).toBe(1);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
