import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateOperationOnce } from '../../src/plugins/operation-estimate.js';

// The memo is shared by every caller that sends a document: what it holds must stay small, whatever a
// hostile caller sends, and an entry is one estimate (the same object) for the same declared variables.
describe('estimateOperationOnce', () => {
  const doc = parse('query Page($n: Int) { jobs(first: $n) { nodes { uniqId } } }');

  it('answers the same declared variables from memory, and other variables afresh', () => {
    const a = estimateOperationOnce(doc, 'Page', { n: 7 });
    expect(estimateOperationOnce(doc, 'Page', { n: 7, unused: 'x' })).toBe(a);
    expect(a.credits).toBe(7);
    expect(estimateOperationOnce(doc, 'Page', { n: 8 }).credits).toBe(8);
  });

  it('keeps at most 32 variable sets a document, the oldest out first', () => {
    const d = parse('query P($n: Int) { jobs(first: $n) { nodes { uniqId } } }');
    const first = estimateOperationOnce(d, 'P', { n: 1 });
    for (let n = 2; n <= 32; n++) estimateOperationOnce(d, 'P', { n });
    expect(estimateOperationOnce(d, 'P', { n: 1 })).toBe(first);
    // reading n: 1 again does not move it (the Map keeps insertion order): the 33rd set pushes it out
    estimateOperationOnce(d, 'P', { n: 33 });
    expect(estimateOperationOnce(d, 'P', { n: 1 })).not.toBe(first);
  });

  it('does not remember long variables, nor an estimate that holds long literal arguments', () => {
    const d = parse('query Q($k: String) { jobs(filter: { keywords: $k }) { nodes { uniqId } } }');
    const k = 'y'.repeat(600);
    expect(estimateOperationOnce(d, 'Q', { k })).not.toBe(estimateOperationOnce(d, 'Q', { k }));
    const literal = parse(`{ jobs(filter: { keywords: "${'z'.repeat(2_000)}" }) { nodes { uniqId } } }`);
    expect(estimateOperationOnce(literal, undefined, {})).not.toBe(estimateOperationOnce(literal, undefined, {}));
    const short = parse('{ jobs(filter: { keywords: "go" }) { nodes { uniqId } } }');
    expect(estimateOperationOnce(short, undefined, {})).toBe(estimateOperationOnce(short, undefined, {}));
  });
});
