import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, twilioFor } from '../support/server';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

describe('README quick start, with the official twilio client', () => {
  it('creates a Service and a TOTP factor and verifies it with a real code', async () => {
    const { client } = await twilioFor(server.url);
    const service = await client.verify.v2.services.create({ friendlyName: 'My App' });
    const factor = await client.verify.v2
      .services(service.sid)
      .entities('user-0001-alice')
      .newFactors.create({ friendlyName: 'Alice', factorType: 'totp' });
    expect(factor.status).toBe('unverified');
    expect(factor.binding.uri).toMatch(
      /^otpauth:\/\/totp\/My%20App:Alice\?secret=[A-Z2-7]{32}&issuer=My%20App/,
    );

    const code = new TOTP({ secret: Secret.fromBase32(factor.binding.secret) }).generate();
    const verified = await client.verify.v2
      .services(service.sid)
      .entities('user-0001-alice')
      .factors(factor.sid)
      .update({ authPayload: code });
    expect(verified.status).toBe('verified');
  });
});
