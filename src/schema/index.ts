import { builder } from '../builder.js';
import './scalars.js';
import './inputs.js';
import './job.js';
import './jobs-query.js';
import './expired-job.js';
import './aggregate.js';
import './api-usage.js';
import './caller-usage.js';
import { guardEntities } from './entities.js';
import './subscription.js';

builder.queryType({ description: 'JobsPikr job data: search, lookups, expired jobs, counts and budget.' });

/** The executable schema, a Federation v2 subgraph (it also serves as a plain GraphQL API). */
export const schema = guardEntities(
  builder.toSubGraphSchema({
    // 2.9: the cost directives (@cost, @listSize) a gateway's demand control reads.
    linkUrl: 'https://specs.apollo.dev/federation/v2.9',
    federationDirectives: ['@key', '@shareable', '@cost', '@listSize'],
  }),
);
