import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildASTSchema, parse, print, visit, type ConstDirectiveNode, type DocumentNode } from 'graphql';

const PRICING = new Set(['cost', 'listSize']);

/** Federation SDL names directives it never defines: build it as written, definitions not required. */
const build = (doc: DocumentNode) => buildASTSchema(doc, { assumeValidSDL: true });

/** Every @cost/@listSize in the SDL by schema coordinate (`Type`, `Type.field`), printed, and every coordinate there is. */
function prices(doc: DocumentNode): { prices: Map<string, string>; coordinates: Set<string> } {
  const out = new Map<string, string>();
  const coordinates = new Set<string>();
  const path: string[] = [];
  const note = (where: string, directives: readonly ConstDirectiveNode[] | undefined) => {
    coordinates.add(where);
    const own = (directives ?? []).filter((d) => PRICING.has(d.name.value)).map(print);
    if (own.length) out.set(where, own.join(' '));
  };
  visit(doc, {
    ObjectTypeDefinition: {
      enter: (n) => {
        path.push(n.name.value);
        note(n.name.value, n.directives);
      },
      leave: () => void path.pop(),
    },
    ObjectTypeExtension: { enter: (n) => void path.push(n.name.value), leave: () => void path.pop() },
    ScalarTypeDefinition: (n) => note(n.name.value, n.directives),
    EnumTypeDefinition: (n) => note(n.name.value, n.directives),
    FieldDefinition: (n) => note(`${path.at(-1)}.${n.name.value}`, n.directives),
  });
  return { prices: out, coordinates };
}

export interface GuardReport {
  /** Changes that break a client's saved operation (inspector's BREAKING). */
  breaking: string[];
  /** @cost/@listSize added, removed or changed: what a gateway charges for an operation moves. */
  pricing: string[];
  /** Everything else inspector found (additions, descriptions, dangerous-but-compatible). */
  other: string[];
}

/** Compare the committed baseline SDL with the current one. */
export async function guardSchema(baselineSdl: string, currentSdl: string): Promise<GuardReport> {
  const [before, after] = [parse(baselineSdl), parse(currentSdl)];
  const changes = await diff(build(before), build(after));
  const isPricing = (c: (typeof changes)[number]) => /directive/i.test(c.type) && /@?(cost|listSize)\b/.test(c.message);
  const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking && !isPricing(c)).map((c) => c.message);
  const other = changes.filter((c) => c.criticality.level !== CriticalityLevel.Breaking && !isPricing(c)).map((c) => c.message);
  const [p0, p1] = [prices(before), prices(after)];
  const pricing: string[] = [];
  // Only what both schemas have: a new field's price comes with the addition, a removed one is breaking.
  for (const k of [...p0.coordinates].filter((c) => p1.coordinates.has(c))) {
    const [a, b] = [p0.prices.get(k), p1.prices.get(k)];
    if (a !== b) pricing.push(`${k}: ${a ?? '(no price)'} -> ${b ?? '(no price)'}`);
  }
  return { breaking, pricing, other };
}
