import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFieldMap,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { CREDITS_PER_JOB } from '../schema/cost.js';
import { priceOf } from '../schema/credits.js';
import { schema as appSchema } from '../schema/index.js';
import { DEFAULT_PAGE_SIZE, MAX_IDS_PER_FIELD, MAX_PAGE_SIZE } from '../limits.js';

type Vars = Record<string, unknown> | null | undefined;

/** An argument's value with variables filled in (enough to tell two calls apart and read sizes). */
function value(node: ValueNode | undefined, vars: Vars): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case Kind.VARIABLE:
      return vars?.[node.name.value];
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.STRING:
    case Kind.ENUM:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((v) => value(v, vars));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, value(f.value, vars)]));
  }
}

/** Worst case: `first` defaults to 10 and is capped where the schema caps it. */
const firstOf = (v: unknown): number => (typeof v === 'number' && v > 0 ? Math.min(v, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE);
const lengthOf = (v: unknown): number => (Array.isArray(v) ? v.length : 1);

/** Root fields that make one upstream call each (per distinct argument set): search, expired list, counts. */
const CALLING_FIELDS = new Set(['jobs', 'expiredJobs', 'aggregate']);
/** Root fields that look jobs up by id: all go through one batching loader (one call per 100 ids). */
const LOOKUP_FIELDS = new Set(['job', 'node', 'jobsByUniqIds', 'nodes', '_entities']);
const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

export interface OperationEstimate {
  /** Most job credits the operation can spend if nothing is cached. */
  credits: number;
  /** Identity of each distinct search, expired-list and count call (equal ones share one call). */
  calls: ReadonlySet<string>;
  /** Most id-lookup calls (each up to MAX_IDS_PER_FIELD ids). */
  lookups: number;
  /** Introspection root fields (`__schema`, `__type`) by response key. */
  introspection: number;
}

/** The operation a request runs: the one named, or the first when no name is sent. */
export function selectedOperation(doc: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  for (const d of doc.definitions) if (d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName)) return d;
  return undefined;
}

/** Estimates kept per document (a codegen'd client sends one document with changing variables). */
const MEMO_PER_DOCUMENT = 32;
/** Declared variables longer than this (as JSON) are not memoised: a hostile body must not fill the memo. */
const MEMO_MAX_KEY_CHARS = 512;
/** Nor estimates whose call identities (which hold the document's literal arguments) are longer. */
const MEMO_MAX_CALL_CHARS = 1_024;
const memo = new WeakMap<DocumentNode, Map<string, Readonly<OperationEstimate>>>();

/**
 * What tells one run of a document from another (the estimate memo's key, and part of the answer
 * cache's): the operation's name and the values of the variables it declares, as the request sent
 * them (this runs before graphql-js coerces them). Undefined when the values cannot be told apart by
 * their JSON: a number JSON.parse read as Infinity prints as null, yet counts as 100 where null counts
 * as 10, and a value nested too deep to print is not worth remembering.
 */
export function operationKey(doc: DocumentNode, operationName: string | null | undefined, vars: Vars): string | undefined {
  // The estimate and the answer cache ask in turn for one execution's key: the last one is kept.
  const l = lastKey;
  if (l && l.doc === doc && l.operationName === operationName && l.vars === vars) return l.key;
  const key = printedKey(doc, operationName, vars);
  // Only variables objects are kept by identity (the request's own, never changed after parsing); none is printed anew.
  lastKey = typeof vars === 'object' && vars !== null ? { doc, operationName, vars, key } : undefined;
  return key;
}

let lastKey: { doc: DocumentNode; operationName: string | null | undefined; vars: Vars; key: string | undefined } | undefined;

function printedKey(doc: DocumentNode, operationName: string | null | undefined, vars: Vars): string | undefined {
  const op = selectedOperation(doc, operationName);
  if (!op) return undefined;
  let exact = true;
  // An object, not a list: a variable left out (its default applies) must not read as one sent as null.
  // No prototype, so a variable named __proto__ is a key like any other.
  const declared: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  // Own properties only: a variable named like an Object.prototype member that was left out must not read as sent.
  for (const d of op.variableDefinitions ?? []) {
    const name = d.variable.name.value;
    declared[name] = vars && Object.hasOwn(vars, name) ? vars[name] : undefined;
  }
  let text: string;
  try {
    text = JSON.stringify(declared, (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) exact = false;
      return v;
    });
  } catch {
    return undefined;
  }
  const key = `${operationName ?? ''}\u0000${text}`;
  return exact && key.length <= MEMO_MAX_KEY_CHARS ? key : undefined;
}

/**
 * `estimateOperation` remembered per parsed document (yoga's parse cache hands the same DocumentNode
 * to every request with the same text) and declared variables: a cached search repeats its estimate on
 * every request. Shared by every caller that sends the document, so read-only: callers copy before
 * they change a figure.
 */
export function estimateOperationOnce(doc: DocumentNode, operationName: string | null | undefined, vars: Vars): Readonly<OperationEstimate> {
  const key = operationKey(doc, operationName, vars);
  if (key === undefined) return estimateOperation(doc, operationName, vars);
  let byVars = memo.get(doc);
  const hit = byVars?.get(key);
  if (hit) return hit;
  const est = estimateOperation(doc, operationName, vars);
  let callChars = 0;
  for (const c of est.calls) callChars += c.length;
  if (callChars > MEMO_MAX_CALL_CHARS) return est;
  if (!byVars) {
    byVars = new Map();
    memo.set(doc, byVars);
  }
  // Oldest first out: a Map iterates in insertion order.
  if (byVars.size >= MEMO_PER_DOCUMENT) byVars.delete(byVars.keys().next().value as string);
  byVars.set(key, est);
  return est;
}

/**
 * The worst case of an operation, read from the document before execution: the job credits every
 * field may buy as its schema price says (schema/credits.ts; multiplied through pages), the upstream calls it may start (cache
 * hits not assumed) and the introspection it asks for.
 */
export function estimateOperation(
  doc: DocumentNode,
  operationName: string | null | undefined,
  vars: Vars,
  schema: GraphQLSchema = appSchema,
): OperationEstimate {
  const calls = new Set<string>();
  const est: OperationEstimate = { credits: 0, calls, lookups: 0, introspection: 0 };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const op = selectedOperation(doc, operationName);
  if (!op) return est;
  // Variables the request leaves out take the operation's defaults (`$first: Int = 50`).
  const given = vars ?? {};
  const withDefaults: Record<string, unknown> = { ...given };
  for (const d of op.variableDefinitions ?? []) {
    const name = d.variable.name.value;
    if (given[name] === undefined && d.defaultValue) withDefaults[name] = value(d.defaultValue, undefined);
  }
  const introspectionKeys = new Set<string>();
  let rootIds = 0;

  /** The type a selection set of `type` selects from: unwrapped object or interface, else none. */
  const fieldsOf = (type: GraphQLNamedType | null | undefined): GraphQLFieldMap<unknown, unknown> | undefined =>
    isObjectType(type) || isInterfaceType(type) ? type.getFields() : undefined;

  const walk = (
    set: SelectionSetNode | undefined,
    parent: GraphQLNamedType | null | undefined,
    times: number,
    root: boolean,
    seen: Set<string>,
  ): { credits: number; looksUp: boolean } => {
    let credits = 0;
    let looksUp = false;
    const add = (r: { credits: number; looksUp: boolean }) => {
      credits += r.credits;
      looksUp ||= r.looksUp;
    };
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const on = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        add(walk(sel.selectionSet, on, times, root, seen));
      } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(sel.name.value);
        if (f && !seen.has(f.name.value)) add(walk(f.selectionSet, schema.getType(f.typeCondition.name.value), times, root, new Set([...seen, f.name.value])));
      } else {
        const args: Record<string, unknown> = {};
        for (const a of sel.arguments ?? []) args[a.name.value] = value(a.value, withDefaults);
        const name = sel.name.value;
        if (root && INTROSPECTION_FIELDS.has(name)) introspectionKeys.add(sel.alias?.value ?? name);
        if (root && CALLING_FIELDS.has(name)) calls.add(JSON.stringify([name, args]));
        if (root && LOOKUP_FIELDS.has(name)) rootIds += lengthOf(args.uniqIds ?? args.ids ?? args.representations);
        const field = fieldsOf(parent)?.[name];
        if (!field) continue;
        const price = priceOf(field);
        const type = getNamedType(field.type);
        if (price && 'count' in price) {
          const c = price.count;
          credits += CREDITS_PER_JOB * times * (c === 'first' ? firstOf(args.first) : c === 'one' ? 1 : lengthOf(args[c.list]));
          // A job bought below the root is looked up after its parent arrives, in one batch per page.
          if (!root && c === 'one') looksUp = true;
        } else if (price && 'below' in price) {
          const first = firstOf(args.first);
          const inner = walk(sel.selectionSet, type, times * first, false, seen);
          credits += inner.credits;
          if (inner.looksUp) est.lookups += Math.ceil(first / MAX_IDS_PER_FIELD);
        } else if (!price) add(walk(sel.selectionSet, type, times, false, seen));
      }
    }
    return { credits, looksUp };
  };
  est.credits = walk(op.selectionSet, schema.getRootType(op.operation), 1, true, new Set()).credits;
  // Root lookups of one operation start in one tick, so the loader batches them together.
  est.lookups += Math.ceil(rootIds / MAX_IDS_PER_FIELD);
  est.introspection = introspectionKeys.size;
  return est;
}
