import SchemaBuilder, { BasePlugin, type PothosTypeConfig, type SchemaTypes } from '@pothos/core';

/** Credits JobsPikr charges for one job record it returns under a production key (CONTRACT §2). */
export const CREDITS_PER_JOB = 1;

/**
 * How a page field is sized for demand control: `first` records, counted on `edges` or `nodes`
 * (Federation 2.9 `@listSize`), each priced by its type's `@cost`.
 */
export const PAGE_LIST_SIZE = { slicingArguments: ['first'], sizedFields: ['edges', 'nodes'] };

const hasCost = (directives: unknown): boolean =>
  Array.isArray(directives)
    ? directives.some((d: { name?: unknown }) => d.name === 'cost')
    : typeof directives === 'object' && directives !== null && 'cost' in directives;

/**
 * Demand control gives every object type a cost of 1 unless told otherwise; here only what is bought
 * costs anything, so every object type without its own `@cost` gets `@cost(weight: 0)`. A gateway's
 * price of an operation is then the job credits it can spend, as our own estimate counts them.
 * A Pothos plugin (before the directives plugin) so the directive is in the SDL federation prints.
 */
export class CostBaselinePlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onTypeConfig(typeConfig: PothosTypeConfig): PothosTypeConfig {
    if (typeConfig.kind !== 'Object' || typeConfig.name.startsWith('_')) return typeConfig;
    const own: unknown = (typeConfig.pothosOptions as { directives?: unknown }).directives;
    const existing: unknown = typeConfig.extensions?.directives;
    if (hasCost(own) || hasCost(existing)) return typeConfig;
    const list = Array.isArray(existing) ? existing : [];
    return { ...typeConfig, extensions: { ...typeConfig.extensions, directives: [...list, { name: 'cost', args: { weight: 0 } }] } };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      costBaseline: CostBaselinePlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin('costBaseline', CostBaselinePlugin);
