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
