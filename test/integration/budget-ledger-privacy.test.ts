import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ key: 'production' });
});
afterAll(() => stack.close());

const USAGE = '{ apiUsage { creditsRemaining creditsUsedByThisServer } }';

describe("a key pair the upstream has not accepted learns nothing of the client's ledger", () => {
  it('apiUsage and extensions.jobspikr show the balance to the accepted pair only', async () => {
    const { clientId, authKey } = stack.sandbox.keys.production;
    const bought = await stack.gql('{ jobs(first: 2) { totalCount } }');
    expect(bought.body.extensions?.jobspikr).toMatchObject({ creditsCharged: 2 });
    const own = await stack.gql(USAGE, undefined, { client_id: clientId, client_auth_key: authKey });
    expect(own.body.data).toEqual({ apiUsage: { creditsRemaining: stack.sandbox.creditsRemaining(clientId), creditsUsedByThisServer: 2 } });

    const wrong = { client_id: clientId, client_auth_key: `${authKey}-wrong` };
    const probe = await stack.gql(USAGE, undefined, wrong);
    expect(probe.body.data).toEqual({ apiUsage: { creditsRemaining: null, creditsUsedByThisServer: 0 } });
    const refused = await stack.gql('{ job(uniqId: "0123456789abcdef0123456789abcdef") { title } }', undefined, wrong);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(refused.body.extensions?.jobspikr).toMatchObject({ creditsRemaining: null, creditsCharged: 0 });
  });
});

describe("multi-tenant mode: a tenant's rate budget is shown to its accepted pair only", () => {
  let mt: Stack;
  beforeAll(async () => {
    mt = await startStack({ key: 'none', env: { REQUIRE_CLIENT_CREDENTIALS: 'true' } });
  });
  afterAll(() => mt.close());

  const LIMITS = '{ apiUsage { limits { endpoint remainingThisMinute resetAt } } }';
  type Limit = { endpoint: string; remainingThisMinute: number; resetAt: string | null };
  const limits = (r: Awaited<ReturnType<Stack['gql']>>) => (r.body.data?.apiUsage as { limits: Limit[] } | undefined)?.limits ?? [];

  it('a wrong key for a known client id sees no budget or reset time; the tenant sees its own', async () => {
    const { clientId, authKey } = mt.sandbox.keys.production;
    const tenant = { client_id: clientId, client_auth_key: authKey };
    const bought = await mt.gql('{ jobs(first: 1) { totalCount } }', undefined, tenant);
    expect(bought.body.errors).toBeUndefined();
    const own = limits(await mt.gql(LIMITS, undefined, tenant));
    const data = own.find((l) => l.endpoint === '/v2/data');
    expect(data?.remainingThisMinute).toBe(99);
    expect(data?.resetAt).toEqual(expect.any(String));

    const wrong = { client_id: clientId, client_auth_key: `${authKey}-wrong` };
    const before = mt.sandbox.log.length;
    expect(limits(await mt.gql(LIMITS, undefined, wrong))).toEqual([]);
    // Asking made no upstream call.
    expect(mt.sandbox.log.length).toBe(before);
    // A never-seen pair learns nothing either, until the upstream accepts it.
    const stranger = { client_id: 'demo_prod_unknown_000001', client_auth_key: 'prd_0000' };
    expect(limits(await mt.gql(LIMITS, undefined, stranger))).toEqual([]);
  });
});
