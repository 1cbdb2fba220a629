import { z } from 'zod';

/**
 * The answer to GraphiQL's default document (the seed example), as the tests that run it read it.
 * The document is the product's own text (not one of test/documents), so its answer is read here.
 */
export const SeedExampleAnswer = z.object({
  errors: z.array(z.unknown()).optional(),
  data: z.object({
    jobs: z.object({
      totalCount: z.number(),
      pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
      nodes: z.array(z.looseObject({ uniqId: z.string(), title: z.string().nullable() })),
    }),
    apiUsage: z.looseObject({ sandbox: z.boolean() }),
  }),
});
