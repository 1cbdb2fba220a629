import { printSubgraphSchema } from '@apollo/subgraph';
import { schema } from './index.js';

/** The public SDL with its federation directives, in declaration order. */
export const printSchemaSdl = (): string => `${printSubgraphSchema(schema).trim()}\n`;
