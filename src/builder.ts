import { priced } from './schema/credits.js';
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin from '@pothos/plugin-relay';
// Registers the costBaseline plugin.
import './schema/cost.js';
import type { Context } from './context.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits.js';
import { badInput } from './errors.js';

/** The Pothos builder: plugins and scalars' TypeScript types only; types are defined in schema/. */
export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: true;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  Scalars: {
    Date: { Input: string; Output: string };
    DateTime: { Input: string; Output: string };
  };
}>({
  // Plugin order per the toolchain notes: federation last.
  // costBaseline before directives: the directives plugin turns what it adds into SDL.
  plugins: [RelayPlugin, ComplexityPlugin, 'costBaseline', DirectivePlugin, FederationPlugin],
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesOnConnection: true,
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
    firstArgOptions: {
      defaultValue: DEFAULT_PAGE_SIZE,
      description: 'Records per page, 1..100 (each record bought costs a credit under a production key).',
    },
    afterArgOptions: { description: 'An `endCursor` or edge `cursor` this server issued for the same query.' },
    lastArgOptions: { description: 'Not supported: JobsPikr cursors run forward only. Using it is a BAD_USER_INPUT error.' },
    beforeArgOptions: { description: 'Not supported: JobsPikr cursors run forward only. Using it is a BAD_USER_INPUT error.' },
    nodeTypeOptions: { description: 'An object with a global ID (Relay global object identification).' },
    // Shareable: every Relay-style subgraph of a supergraph defines the same PageInfo.
    pageInfoTypeOptions: { description: 'Where a page sits in a forward-only list.', shareable: true },
    nodeQueryOptions: {
      extensions: priced({ count: 'one' }),
      description: 'Any object by its global ID. Job lookups are batched with `job` and `nodes`.',
      resolve: async (_root, { id }, ctx, info, resolveNode) => {
        const node = await resolveNode(id);
        ctx.usage.stale.at(node, info);
        return node;
      },
    },
    nodesQueryOptions: {
      extensions: priced({ count: { list: 'ids' } }),
      description: `Objects by global ID (up to ${MAX_PAGE_SIZE}), in the order asked; null where unknown.`,
      // A gateway cannot count a list argument: it prices the most ids this field takes.
      directives: { listSize: { assumedSize: MAX_PAGE_SIZE } },
      // Like jobsByUniqIds: one upstream lookup takes 100 ids, and one request must not drain the key's budget.
      resolve: async (_root, { ids }, ctx, info, resolveNodes) => {
        if (ids.length > MAX_PAGE_SIZE) throw badInput(`nodes takes at most ${MAX_PAGE_SIZE} ids`);
        const nodes = await resolveNodes(ids);
        for (const [i, n] of nodes.entries()) ctx.usage.stale.at(n, info, i);
        return nodes;
      },
    },
  },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 1,
    limit: (ctx) => ctx.limits,
  },
});
