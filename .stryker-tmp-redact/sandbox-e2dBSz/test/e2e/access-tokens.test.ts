// @ts-nocheck
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureOf, startTestServer, twilioFor } from '../support/server';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

describe('AccessTokens through twilio-node', () => {
  it('fetches an access token at the url it was created with; the token itself is shown only once', async () => {
    const { client } = await twilioFor(server.url);
    const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
    const created = await client.verify.v2
      .services(service.sid)
      .accessTokens.create({ identity: 'user-0001-alice', factorType: 'push', ttl: 120 });
    expect(created.token).toMatch(/^YK[0-9a-f]{32}\./);
    const fetched = await client.verify.v2.services(service.sid).accessTokens(created.sid).fetch();
    expect(fetched).toMatchObject({
      sid: created.sid,
      accountSid: created.accountSid,
      serviceSid: service.sid,
      entityIdentity: 'user-0001-alice',
      factorType: 'push',
      ttl: 120,
      url: created.url,
      token: null,
    });
    expect(fetched.dateCreated).toEqual(created.dateCreated);

    // Another account, or another service of the same account, finds nothing.
    const other = await twilioFor(server.url);
    const foreign = await failureOf(
      other.client.verify.v2.services(service.sid).accessTokens(created.sid).fetch(),
    );
    expect(foreign).toMatchObject({ status: 404, code: 20404 });
    const sibling = await client.verify.v2.services.create({ friendlyName: 'Other' });
    const wrongService = await failureOf(
      client.verify.v2.services(sibling.sid).accessTokens(created.sid).fetch(),
    );
    expect(wrongService).toMatchObject({ status: 404, code: 20404 });
  });
});
