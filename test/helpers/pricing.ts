import { buildASTSchema, getNamedType, isListType, isNonNullType, isObjectType, parse, type ConstDirectiveNode, type GraphQLOutputType } from 'graphql';

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
