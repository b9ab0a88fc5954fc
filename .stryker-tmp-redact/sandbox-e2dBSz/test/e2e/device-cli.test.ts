// @ts-nocheck
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDevice } from '../../infra/device/cli';
import { DeviceError } from '../../infra/device/client';
import { startTestServer, twilioFor } from '../support/server';

let server: Awaited<ReturnType<typeof startTestServer>>;
const dir = mkdtempSync(join(tmpdir(), 'device-cli-'));
beforeAll(async () => (server = await startTestServer()));
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run device: the push walkthrough from the command line', () => {
  it('enrolls a push factor, lists challenges, approves one and denies another', async () => {
    const { client } = await twilioFor(server.url);
    const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
    const identity = 'user-0003-carol';
    const { token } = await client.verify.v2
      .services(service.sid)
      .accessTokens.create({ identity, factorType: 'push' });
    const state = join(dir, 'nested', 'device.json');
    const device = (...argv: string[]) => runDevice([...argv, '--state', state]);

    const init = await device('init', '--url', server.url, '--service', service.sid, '--identity', identity);
    expect(init).toMatch(/^Public key: MFkw[A-Za-z0-9+/]+=*$/m);
    expect(statSync(state).mode & 0o777).toBe(0o600);

    const enroll = await device('enroll', '--token', token, '--name', 'Carol’s laptop');
    const factorSid = /Factor SID: (YF[0-9a-f]{32})/.exec(enroll)![1]!;
    expect(enroll).toMatch(/Status: +verified/);
    const entity = client.verify.v2.services(service.sid).entities(identity);
    const factor = await entity.factors(factorSid).fetch();
    expect(factor).toMatchObject({ status: 'verified', factorType: 'push', friendlyName: 'Carol’s laptop' });

    const shown = JSON.parse(await device('show')) as Record<string, unknown>;
    expect(shown).toMatchObject({ serviceSid: service.sid, identity, factorSid });
    expect(shown).not.toHaveProperty('privateKey');

    const challenge = () =>
      entity.challenges.create({
        factorSid,
        'details.message': 'Log in?',
        'details.fields': [{ label: 'IP', value: '1.2.3.4' }],
        hiddenDetails: { ip: '1.2.3.4' },
      });
    const first = await challenge();
    expect(await device('challenges')).toContain(`${first.sid}  pending  "Log in?"  expires `);

    expect(await device('approve', first.sid)).toBe(`${first.sid} approved`);
    expect((await entity.challenges(first.sid).fetch()).status).toBe('approved');
    expect(await device('challenges')).toBe('No pending challenges');
    expect(await device('challenges', '--status', 'approved')).toContain(first.sid);

    const second = await challenge();
    expect(await device('deny', second.sid)).toBe(`${second.sid} denied`);
    expect((await entity.challenges(second.sid).fetch()).status).toBe('denied');

    await expect(device('approve', first.sid)).rejects.toThrow('Responded challenge can not be updated');
  });

  it('reports the API error of a bad enrollment token, and usage for an unknown command', async () => {
    const state = join(dir, 'bad.json');
    await runDevice([
      'init',
      '--url',
      server.url,
      '--service',
      `VA${'0'.repeat(32)}`,
      '--identity',
      'x',
      '--state',
      state,
    ]);
    const failure = await runDevice(['enroll', '--token', 'not-a-token', '--state', state]).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(DeviceError);
    expect((failure as DeviceError).status).toBe(401);
    await expect(runDevice(['fly'])).rejects.toThrow(/Unknown command fly[\s\S]*Usage: npm run device/);
  });
});
