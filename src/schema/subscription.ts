import { priced } from './credits.js';
import { builder } from '../builder.js';
import { isFailure, type LiveItem } from '../live/subscriber.js';
import { AppError } from '../errors.js';
import { normalizeFilter } from '../filter.js';
import { JobFilter } from './inputs.js';
import { Job } from './job.js';

builder.subscriptionType({ description: 'Live job alerts over GraphQL over SSE (graphql-sse, urql, Apollo Client).' });

builder.subscriptionField('jobPosted', (t) =>
  t.field({
    type: Job,
    nullable: false,
    // Polls are charged to the server's ledger and shared among subscribers (README), not to one operation.
    extensions: priced({ free: 'bought by the shared live poller' }),
    description:
      'Jobs matching `filter` as JobsPikr publishes them, oldest first. One upstream poll per distinct filter serves every subscriber on every replica; each record is bought once. Each event carries `extensions.jobspikr.eventId` (and an SSE `id:`): reconnect with `Last-Event-ID` to get what was missed.',
    args: { filter: t.arg({ type: JobFilter, description: 'What to watch for (default: every new job that has not expired).' }) },
    subscribe: async (_root, args, ctx) => {
      const filter = normalizeFilter(args.filter);
      const live = ctx.live;
      if (!live) throw new AppError('BAD_USER_INPUT', 'Subscriptions are served over GraphQL over SSE (Accept: text/event-stream)');
      return live.hub.subscribe({
        filter,
        credentials: ctx.credentials,
        caller: live.caller,
        connection: live.connection,
        lastEventId: live.lastEventId,
        onCutOff: live.cutOff,
        signal: ctx.signal,
      });
    },
    resolve: (item: LiveItem, _args, ctx) => {
      if (isFailure(item)) throw item.failure;
      if (ctx.live) ctx.live.current = item.id;
      return item.record;
    },
  }),
);
