// @ts-nocheck
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate } from '../../infra/local/certificates';
import { credentialSecretContext } from '../../shared/domain/push-credential';
import { apnTokenSecret, fcmSecret } from '../support/push-secrets';
import { failureOf, rawRequest, startTestServer, twilioFor } from '../support/server';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

/** twilio-node pointed at this service for both of its domains: Verify and Notify. */
async function clients() {
  const { client, account } = await twilioFor(server.url);
  client.notify.baseUrl = server.url;
  return { client, account };
}

describe('Notify v1 Credentials through twilio-node', () => {
  it('creates, fetches, lists, updates and deletes fcm and apn credentials, never returning a secret', async () => {
    const { client, account } = await clients();
    const fcm = fcmSecret();
    const created = await client.notify.v1.credentials.create({
      type: 'fcm',
      friendlyName: 'Android app',
      secret: fcm.secret,
    });
    expect(created).toMatchObject({
      accountSid: account.sid,
      friendlyName: 'Android app',
      type: 'fcm',
      sandbox: 'False',
      url: `${server.url}/v1/Credentials/${created.sid}`,
    });
    expect(created.sid).toMatch(/^CR[0-9a-f]{32}$/);

    const apn = await client.notify.v1.credentials.create({
      type: 'apn',
      friendlyName: 'iOS app',
      secret: apnTokenSecret().secret,
      sandbox: true,
    });
    expect(apn).toMatchObject({ type: 'apn', sandbox: 'True' });

    const fetched = await client.notify.v1.credentials(created.sid).fetch();
    expect(fetched.toJSON()).toEqual(created.toJSON());
    const listed = await client.notify.v1.credentials.list();
    expect(listed.map((c) => c.sid)).toEqual([created.sid, apn.sid]);

    const renamed = await client.notify.v1
      .credentials(apn.sid)
      .update({ friendlyName: 'iOS', sandbox: false });
    expect(renamed).toMatchObject({ friendlyName: 'iOS', sandbox: 'False', type: 'apn' });

    // Nothing secret in any answer: no key material, no field beyond Twilio's.
    const raw = await rawRequest(`${server.url}/v1/Credentials`, { auth: account });
    expect(JSON.stringify(raw.body)).not.toMatch(/PRIVATE KEY|private_key|team_id/);
    expect(Object.keys((raw.body!.credentials as object[])[0]!).sort()).toEqual(
      [
        'account_sid',
        'date_created',
        'date_updated',
        'friendly_name',
        'sandbox',
        'sid',
        'type',
        'url',
      ].sort(),
    );

    expect(await client.notify.v1.credentials(created.sid).remove()).toBe(true);
    expect(await failureOf(client.notify.v1.credentials(created.sid).fetch())).toMatchObject({ status: 404 });
    expect(await failureOf(client.notify.v1.credentials(created.sid).remove())).toMatchObject({
      status: 404,
    });
  });

  it('takes an APNs certificate with its private key (certificate auth), and refuses a key of another certificate', async () => {
    const { client } = await clients();
    const issued = issueCertificate({ commonName: 'Apple Push Services: com.owlbank.app', keyType: 'rsa' });
    const other = issueCertificate({ commonName: 'Another', keyType: 'rsa' });
    const created = await client.notify.v1.credentials.create({
      type: 'apn',
      certificate: issued.certificate,
      privateKey: issued.privateKey,
    });
    expect(created).toMatchObject({ type: 'apn', sandbox: 'False' });
    const mismatch = await failureOf(
      client.notify.v1.credentials.create({
        type: 'apn',
        certificate: issued.certificate,
        privateKey: other.privateKey,
      }),
    );
    expect(mismatch).toMatchObject({ status: 400, code: 60200 });
    expect(mismatch.message).not.toContain('PRIVATE KEY');
  });

  it('seals the secret at rest, bound to the credential', async () => {
    const { client, account } = await clients();
    const fcm = fcmSecret();
    const created = await client.notify.v1.credentials.create({ type: 'fcm', secret: fcm.secret });
    const stored = (await server.deps.pushCredentials.get(account.sid, created.sid))!;
    expect(JSON.stringify(stored)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(stored)).not.toContain(fcm.clientEmail);
    const opened = JSON.parse(
      await server.deps.sealer.open(stored.sealedSecret, credentialSecretContext(created.sid)),
    );
    expect(opened.serviceAccount).toMatchObject({ projectId: 'owl-bank', clientEmail: fcm.clientEmail });
    await expect(
      server.deps.sealer.open(stored.sealedSecret, credentialSecretContext(`CR${'0'.repeat(32)}`)),
    ).rejects.toThrow();
  });

  it('refuses bad secrets with a 400 naming the field, and stores nothing', async () => {
    const { client } = await clients();
    const credentials = client.notify.v1.credentials;
    const cases: [Parameters<typeof credentials.create>[0], string][] = [
      [{ type: 'fcm' } as never, 'Secret'],
      [{ type: 'fcm', secret: 'AAAA-legacy-server-key' }, 'Secret'],
      [
        {
          type: 'fcm',
          secret: JSON.stringify({
            project_id: 'x',
            client_email: 'a@b',
            private_key: 'nope',
            token_uri: 'https://oauth2.googleapis.com/token',
          }),
        },
        'Secret',
      ],
      [{ type: 'fcm', apiKey: 'AAAA-legacy-server-key' }, 'ApiKey'],
      [{ type: 'fcm', secret: fcmSecret().secret, certificate: 'x' }, 'Certificate'],
      [{ type: 'apn', secret: '{"team_id":"T"}' }, 'Secret'],
      [{ type: 'apn', certificate: '-----BEGIN CERTIFICATE-----' }, 'PrivateKey'],
      [{ type: 'gcm' as never, secret: 'x' }, 'Type'],
    ];
    for (const [params, parameter] of cases) {
      const failure = await failureOf(credentials.create(params));
      expect(failure.status, parameter).toBe(400);
      expect(failure.message, parameter).toContain(parameter);
      expect(failure.message).not.toContain('PRIVATE KEY');
    }
    expect(await credentials.list()).toEqual([]);
  });
});

describe('Services name push credentials', () => {
  it('takes a credential of the same account and the right type, and refuses any other', async () => {
    const { client } = await clients();
    const other = await clients();
    const apn = await client.notify.v1.credentials.create({ type: 'apn', secret: apnTokenSecret().secret });
    const fcm = await client.notify.v1.credentials.create({ type: 'fcm', secret: fcmSecret().secret });
    const foreign = await other.client.notify.v1.credentials.create({
      type: 'fcm',
      secret: fcmSecret().secret,
    });
    const services = client.verify.v2.services;

    const service = await services.create({
      friendlyName: 'Owl Bank',
      'push.apnCredentialSid': apn.sid,
      'push.fcmCredentialSid': fcm.sid,
    });
    expect(service.push).toEqual({
      include_date: false,
      apn_credential_sid: apn.sid,
      fcm_credential_sid: fcm.sid,
    });

    for (const [params, parameter] of [
      [{ 'push.apnCredentialSid': fcm.sid }, 'Push.ApnCredentialSid'],
      [{ 'push.fcmCredentialSid': apn.sid }, 'Push.FcmCredentialSid'],
      [{ 'push.fcmCredentialSid': foreign.sid }, 'Push.FcmCredentialSid'],
      [{ 'push.fcmCredentialSid': `CR${'0'.repeat(32)}` }, 'Push.FcmCredentialSid'],
    ] as const) {
      const failure = await failureOf(services.create({ friendlyName: 'x', ...params }));
      expect(failure).toMatchObject({ status: 400, code: 60200 });
      expect(failure.message).toContain(`Invalid parameter ${parameter}`);
      expect(await failureOf(services(service.sid).update(params))).toMatchObject({ status: 400 });
    }
    expect((await services.list()).map((s) => s.sid)).toEqual([service.sid]);
    expect((await services(service.sid).fetch()).push).toEqual(service.push);
  });

  it('refuses to delete a credential a service names (409), and deletes it once no service does', async () => {
    const { client } = await clients();
    const fcm = await client.notify.v1.credentials.create({ type: 'fcm', secret: fcmSecret().secret });
    const service = await client.verify.v2.services.create({
      friendlyName: 'Owl Bank',
      'push.fcmCredentialSid': fcm.sid,
    });
    expect(await failureOf(client.notify.v1.credentials(fcm.sid).remove())).toMatchObject({
      status: 409,
      code: 20409,
    });
    expect((await client.notify.v1.credentials(fcm.sid).fetch()).sid).toBe(fcm.sid);
    await client.verify.v2.services(service.sid).remove();
    expect(await client.notify.v1.credentials(fcm.sid).remove()).toBe(true);
  });
});
