import { builder } from '../builder.js';
import type { EndpointBudget } from '../budget/rate-gate.js';
import { DateTimeScalar } from './scalars.js';

interface Usage {
  sandbox: boolean;
  creditsRemaining: number | null;
  creditsUsedByThisServer: number;
  limits: EndpointBudget[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace('Z', '+00:00'));

export const RateLimitBudget = builder.objectRef<EndpointBudget>('RateLimitBudget').implement({
  description: "One upstream endpoint's rate budget for this key (rolling windows, CONTRACT §5).",
  fields: (t) => ({
    endpoint: t.string({ nullable: false, description: 'Upstream path, e.g. `/v2/data`.', resolve: (b) => `/v2/${b.endpoint}` }),
    limitPerMinute: t.exposeInt('limitPerMinute', { nullable: false, description: 'Requests allowed in any minute.' }),
    remainingThisMinute: t.int({
      nullable: false,
      description: 'Requests left in the current rolling minute.',
      resolve: (b) => Math.max(0, b.limitPerMinute - b.minute.used),
    }),
    limitPerHour: t.exposeInt('limitPerHour', { nullable: false, description: 'Requests allowed in any hour.' }),
    remainingThisHour: t.int({
      nullable: false,
      description: 'Requests left in the current rolling hour.',
      resolve: (b) => Math.max(0, b.limitPerHour - b.hour.used),
    }),
    resetAt: t.field({
      type: DateTimeScalar,
      description: 'When the oldest counted request leaves the minute window (null when none is counted).',
      resolve: (b) => iso(b.minute.resetAt),
    }),
  }),
});

export const ApiUsage = builder.objectRef<Usage>('ApiUsage').implement({
  description: 'Where this API key stands: rate-limit budgets and job credits, as this server knows them.',
  fields: (t) => ({
    sandbox: t.exposeBoolean('sandbox', { nullable: false, description: 'A sandbox key: free, never charged.' }),
    creditsRemaining: t.exposeInt('creditsRemaining', { description: 'Last `job_credit_remaining` seen; null before any call.' }),
    creditsUsedByThisServer: t.exposeInt('creditsUsedByThisServer', { nullable: false, description: 'Credits this deployment spent under this key.' }),
    limits: t.field({
      type: [RateLimitBudget],
      nullable: false,
      description: 'One per upstream endpoint; empty until JobsPikr has accepted this key pair.',
      resolve: (u) => u.limits,
    }),
  }),
});

builder.queryField('apiUsage', (t) =>
  t.field({
    type: ApiUsage,
    nullable: false,
    description: 'Where this API key stands: rate-limit budgets and job credits, as this server knows them.',
    resolve: async (_, __, ctx) => {
      // A client id's budget and its reset times are its tenant's business: a pair the upstream has not
      // accepted (perhaps a wrong key for a known id) learns nothing of them.
      const accepted = await ctx.jobs.isAccepted(ctx.credentials);
      const [credits, limits] = await Promise.all([ctx.jobs.credits(ctx.credentials), accepted ? ctx.gate.budgets(ctx.credentials) : []]);
      return { sandbox: ctx.usage.sandbox, creditsRemaining: credits.remaining, creditsUsedByThisServer: credits.used, limits };
    },
  }),
);
