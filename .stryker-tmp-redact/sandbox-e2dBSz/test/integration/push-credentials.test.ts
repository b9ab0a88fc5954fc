// @ts-nocheck
import { describe, expect, it } from 'vitest';
import {
  createPushCredential,
  deletePushCredential,
  openPushCredential,
} from '../../shared/app/push-credentials';
import { createService, updateService } from '../../shared/app/services';
import { testDeps, twilioCode } from '../support/deps';
import { createAccount } from '../support/fixtures';
import { apnTokenSecret, fcmSecret } from '../support/push-secrets';

const deps = testDeps();

describe('push credentials on DynamoDB Local', () => {
  it('opens to the provider secret the senders use, with its sandbox flag', async () => {
    const { sid: accountSid } = await createAccount();
    const apn = apnTokenSecret();
    const credential = await createPushCredential(deps, accountSid, 'apn', {
      secret: apn.secret,
      sandbox: true,
    });
    const opened = await openPushCredential(
      deps,
      (await deps.pushCredentials.get(accountSid, credential.sid))!,
    );
    expect(opened).toMatchObject({
      type: 'apn',
      sid: credential.sid,
      sandbox: true,
      auth: { kind: 'token', teamId: apn.teamId, keyId: apn.keyId },
    });
  });

  it('never lets a service name a credential that a racing delete removed', async () => {
    const { sid: accountSid } = await createAccount();
    const service = await createService(deps, accountSid, { friendlyName: 'Owl Bank' });
    let deleted = 0;
    let named = 0;
    for (let round = 0; round < 15; round++) {
      const credential = await createPushCredential(deps, accountSid, 'fcm', { secret: fcmSecret().secret });
      const [removal, naming] = await Promise.allSettled([
        deletePushCredential(deps, accountSid, credential.sid),
        updateService(deps, accountSid, service.sid, { pushFcmCredentialSid: credential.sid }),
      ]);
      const stillThere = await deps.pushCredentials.get(accountSid, credential.sid);
      const current = (await deps.services.get(accountSid, service.sid))!;
      if (removal.status === 'fulfilled') {
        deleted++;
        expect(stillThere).toBeUndefined();
        expect(current.push.fcmCredentialSid).not.toBe(credential.sid);
        expect(naming.status === 'rejected' && twilioCode(naming.reason)).toBe(60200);
      } else {
        expect(twilioCode(removal.reason)).toBe(20409);
        expect(stillThere?.sid).toBe(credential.sid);
      }
      if (naming.status === 'fulfilled') {
        named++;
        expect(current.push.fcmCredentialSid).toBe(credential.sid);
        expect(stillThere?.sid).toBe(credential.sid);
      }
      // Free the service for the next round.
      if (current.push.fcmCredentialSid === credential.sid) {
        const spare = await createPushCredential(deps, accountSid, 'fcm', { secret: fcmSecret().secret });
        await updateService(deps, accountSid, service.sid, { pushFcmCredentialSid: spare.sid });
      }
    }
    // Exactly one of the two wins each round: never both, never neither.
    expect(deleted + named).toBe(15);
  });
});
