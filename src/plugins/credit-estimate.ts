import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../limits.js';

type Vars = Record<string, unknown> | null | undefined;

function value(node: ValueNode | undefined, vars: Vars): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case Kind.VARIABLE:
      return vars?.[node.name.value];
    case Kind.INT:
      return Number(node.value);
    case Kind.LIST:
      return node.values.map((v) => value(v, vars));
    default:
      return undefined;
  }
}

/** Worst case: `first` defaults to 10 and is capped where the schema caps it. */
const firstOf = (v: unknown): number => (typeof v === 'number' && v > 0 ? Math.min(v, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE);
const lengthOf = (v: unknown): number => (Array.isArray(v) ? v.length : 1);

/**
 * The most job credits an operation can spend if nothing is cached: every record a search page
 * may return and every job a lookup may buy, multiplied through lists. Runs before execution.
 */
export function estimateCredits(doc: DocumentNode, operationName: string | null | undefined, vars: Vars): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName));
  if (!op || op.kind !== Kind.OPERATION_DEFINITION) return 0;
  // Variables the request leaves out take the operation's defaults (`$first: Int = 50`).
  const given = vars ?? {};
  const withDefaults: Record<string, unknown> = { ...given };
  for (const d of op.variableDefinitions ?? []) {
    const name = d.variable.name.value;
    if (given[name] === undefined && d.defaultValue) withDefaults[name] = value(d.defaultValue, undefined);
  }

  const walk = (set: SelectionSetNode | undefined, times: number, root: boolean, seen: Set<string>): number => {
    let cost = 0;
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.INLINE_FRAGMENT) cost += walk(sel.selectionSet, times, root, seen);
      else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(sel.name.value);
        if (f && !seen.has(f.name.value)) cost += walk(f.selectionSet, times, root, new Set([...seen, f.name.value]));
      } else {
        const arg = (name: string) => value(sel.arguments?.find((a) => a.name.value === name)?.value, withDefaults);
        const name = sel.name.value;
        if (root && name === 'jobs') cost += times * firstOf(arg('first'));
        else if (root && name === 'expiredJobs') cost += walk(sel.selectionSet, times * firstOf(arg('first')), false, seen);
        else if (root && (name === 'job' || name === 'node')) cost += times;
        else if (root && name === 'jobsByUniqIds') cost += times * lengthOf(arg('uniqIds'));
        else if (root && name === 'nodes') cost += times * lengthOf(arg('ids'));
        else if (root && name === '_entities') cost += times * lengthOf(arg('representations'));
        else if (!root && name === 'job') cost += times;
        else if (!root) cost += walk(sel.selectionSet, times, false, seen);
      }
    }
    return cost;
  };
  return walk(op.selectionSet, 1, true, new Set());
}
