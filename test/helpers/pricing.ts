import {
  buildASTSchema,
  getArgumentValues,
  getNamedType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  TypeInfo,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type ConstDirectiveNode,
  type GraphQLOutputType,
} from 'graphql';

const PAID = new Set(['Job', 'ExpiredJob']);
const CONNECTIONS = new Set(['JobConnection', 'ExpiredJobConnection']);

const listOf = (t: GraphQLOutputType): boolean => isListType(isNonNullType(t) ? t.ofType : t);
const named = (ds: readonly ConstDirectiveNode[] | undefined, name: string) => ds?.find((d) => d.name.value === name);
const argText = (d: ConstDirectiveNode | undefined, arg: string): string | undefined => {
  const v = d?.arguments?.find((a) => a.name.value === arg)?.value;
  if (!v) return undefined;
  if (v.kind === 'ListValue') return v.values.map((x) => ('value' in x ? String(x.value) : '')).join(',');
  return 'value' in v ? String(v.value) : undefined;
};

/**
 * Fields and types a gateway's demand control would price wrongly, from the printed subgraph SDL:
 * a list of jobs without @listSize (priced as one item), a page of jobs not sized by `first` on its
 * edges and nodes, an object type without @cost (priced 1 by default), or Job not at its credit price.
 */
export function pricingProblems(sdl: string, creditsPerJob: number): string[] {
  const schema = buildASTSchema(parse(sdl), { assumeValidSDL: true });
  const problems: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type.name.startsWith('_')) continue;
    const root = type === schema.getQueryType() || type === schema.getSubscriptionType() || type === schema.getMutationType();
    const cost = named(type.astNode?.directives, 'cost');
    if (!root && !cost) problems.push(`${type.name}: no @cost`);
    if (type.name === 'Job' && argText(cost, 'weight') !== String(creditsPerJob))
      problems.push(`Job: @cost(weight: ${argText(cost, 'weight')}), not ${creditsPerJob}`);
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type).name;
      const listSize = named(field.astNode?.directives, 'listSize');
      const where = `${type.name}.${field.name}`;
      // A connection's own lists are sized by the field that returns the connection.
      const sizedByParent = CONNECTIONS.has(type.name) || type.name.endsWith('Edge');
      if (PAID.has(target) && listOf(field.type) && !sizedByParent && !listSize) problems.push(`${where}: a list of ${target} without @listSize`);
      if (CONNECTIONS.has(target) && (argText(listSize, 'slicingArguments') !== 'first' || argText(listSize, 'sizedFields') !== 'edges,nodes')) {
        problems.push(`${where}: a page of ${target} not sized by first on edges and nodes`);
      }
    }
  }
  return problems;
}

const directiveArgs = (d: ConstDirectiveNode | undefined): Record<string, unknown> =>
  Object.fromEntries((d?.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));

/**
 * What a gateway's demand control charges for an operation, from the SDL's @cost/@listSize as the
 * cost specification reads them (the rules Hive Gateway and Apollo Router implement): each field costs
 * its type's @cost (composite types 1 by default, leaves 0), times the sizes of the lists above it.
 */
export function demandCost(sdl: string, operation: string, variables: Record<string, unknown> = {}): number {
  const schema = buildASTSchema(parse(sdl), { assumeValidSDL: true });
  const typeInfo = new TypeInfo(schema);
  const factors: number[] = [];
  const sized = new Map<string, number>();
  let cost = 0;
  visit(
    parse(operation),
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const field = typeInfo.getFieldDef();
          const type = typeInfo.getType();
          if (!field || !type) return;
          let factor = sized.get(node.name.value) ?? 1;
          sized.delete(node.name.value);
          const listSize = directiveArgs(named(field.astNode?.directives, 'listSize'));
          if (Array.isArray(listSize.slicingArguments)) {
            const args = getArgumentValues(field, node, variables);
            const n = Math.max(1, ...listSize.slicingArguments.map((a) => Number(args[String(a)] ?? 0)));
            if (Array.isArray(listSize.sizedFields)) for (const f of listSize.sizedFields) sized.set(String(f), n);
            else factor = n;
          } else if (listSize.assumedSize !== undefined) factor = Number(listSize.assumedSize);
          factors.push(factor);
          const target = getNamedType(type);
          const typeCost =
            'astNode' in target ? directiveArgs(named(target.astNode?.directives as readonly ConstDirectiveNode[] | undefined, 'cost')).weight : undefined;
          const weight = typeCost !== undefined ? Number(typeCost) : isCompositeType(target) ? 1 : 0;
          cost += weight * factors.reduce((a, b) => a * b, 1);
        },
        leave() {
          factors.pop();
        },
      },
    }),
  );
  return cost;
}
