import type { CodegenConfig } from '@graphql-codegen/cli';
import type { CodegenPlugin } from '@graphql-codegen/plugin-helpers';
import { printSchema } from 'graphql';
import { schema } from './src/schema/index.js';
import { printSchemaSdl } from './src/schema/print.js';

// `npm run codegen`: prints schema/schema.graphql from the Pothos schema (with its federation
// directives), and typed documents (client preset) for the operations in test/documents.
const config: CodegenConfig = {
  schema: printSchema(schema),
  documents: ['test/documents/**/*.graphql'],
  ignoreNoDocuments: false,
  pluginLoader: async (name: string): Promise<CodegenPlugin> =>
    name === 'jobspikr-sdl' ? { plugin: () => printSchemaSdl() } : ((await import(name)) as CodegenPlugin),
  generates: {
    'schema/schema.graphql': { plugins: ['jobspikr-sdl'] },
    'test/generated/': {
      preset: 'client',
      // persistedDocuments: also writes persisted-documents.json, the trusted documents manifest (ids: sha256).
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
      config: { useTypeImports: true, emitLegacyCommonJSImports: false, enumsAsTypes: true, scalars: { Date: 'string', DateTime: 'string' } },
    },
  },
};

export default config;
