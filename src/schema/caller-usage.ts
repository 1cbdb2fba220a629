import { builder } from '../builder.js';
import type { CallerStanding } from '../callers/caller-quotas.js';
import { ApiUsage } from './api-usage.js';
import { DateTimeScalar } from './scalars.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace('Z', '+00:00'));

export const CallerUsage = builder.objectRef<CallerStanding>('CallerUsage').implement({
  description: "The calling identity's own spend of the server's keys and its quota (SURFACE.md, second release).",
  fields: (t) => ({
    id: t.exposeString('id', { nullable: false, description: 'The caller: its token name, JWT subject, or `anonymous:<address>`.' }),
    creditsUsed: t.exposeInt('creditsUsed', { nullable: false, description: 'Credits charged to this caller in the current quota period.' }),
    creditQuota: t.exposeInt('creditQuota', { description: 'Credits this caller may spend per period; null = no quota.' }),
    creditsLeft: t.exposeInt('creditsLeft', { description: 'Credits left in the current period; null = no quota.' }),
    resetsAt: t.field({
      type: DateTimeScalar,
      description: 'When the current quota period ends; null = no quota.',
      resolve: (c) => iso(c.resetsAt),
    }),
  }),
});

builder.objectField(ApiUsage, 'caller', (t) =>
  t.field({
    type: CallerUsage,
    description: "The calling identity's own spend and quota; null when callers are not identified.",
    resolve: (_, __, ctx) => (ctx.caller ? ctx.quotas.standing(ctx.caller) : null),
  }),
);
