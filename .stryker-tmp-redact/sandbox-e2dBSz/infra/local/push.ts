// @ts-nocheck
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { join } from 'node:path';
import type { PushDelivery } from '../../shared/app/notifications';
import type { Config } from '../../shared/config';
import type { PushPlatform } from '../../shared/domain/notification';
import { createApnsProvider } from '../../shared/push/apns';
import { createFcmProvider } from '../../shared/push/fcm';
import type { ProviderCredential, PushProvider } from '../../shared/push/types';
import {
  localPushKeys,
  startLocalApns,
  startLocalFcm,
  type LocalApns,
  type LocalFcm,
} from './push-providers';
import { startLocalQueue, type LocalQueue } from './push-queue';

/** The SIDs of the local credentials, which no stored credential can have (SIDs are `CR` + 32 hex digits). */
const LOCAL_SID = { apn: 'CR-local-apns', fcm: 'CR-local-fcm' } as const;

export interface LocalPush {
  apns: LocalApns;
  fcm: LocalFcm;
  file: string;
  delivery: PushDelivery;
  /** The push queue between the event sink and the sender; started by `startQueue`. */
  queue?: LocalQueue;
  startQueue(handler: (event: SQSEvent) => Promise<SQSBatchResponse>): LocalQueue;
  stop(): Promise<void>;
}

/**
 * Push delivery for `npm start`: a local APNs (HTTP/2 over TLS, its own CA) and a local FCM with its token
 * endpoint, both checking authentication as Apple and Google do and appending each delivered notification
 * to `file`; a local APNs key and FCM service account they trust, which serve every service that has no
 * credential of its own (so a new user's push factors get pushes without any setup); and the providers the
 * sender uses. A credential a user creates is sent where it would be on AWS: Apple's and Google's hosts, or
 * `APNS_BASE_URL` / `FCM_BASE_URL` when set (those then take the local credentials' pushes too). With
 * `everythingLocal` (tests), every credential's pushes go to the local providers, which must be told to
 * trust its key.
 */
export async function startLocalPush(options: {
  config: Config;
  dir: string;
  file: string;
  everythingLocal?: boolean;
  retryDelayMs?: number;
  log?: (line: string) => void;
}): Promise<LocalPush> {
  const { config, file } = options;
  const [apns, fcm] = await Promise.all([startLocalApns({ file }), startLocalFcm({ file })]);
  const keys = localPushKeys();
  apns.trustKey(keys.apns.teamId, keys.apns.keyId, keys.apns.publicKey);
  fcm.trustServiceAccount(keys.fcm.clientEmail, keys.fcm.publicKey, keys.fcm.projectId);
  const local: Record<PushPlatform, ProviderCredential> = {
    apn: {
      type: 'apn',
      sid: LOCAL_SID.apn,
      sandbox: false,
      auth: {
        kind: 'token',
        teamId: keys.apns.teamId,
        keyId: keys.apns.keyId,
        privateKey: keys.apns.secret.private_key,
      },
    },
    fcm: {
      type: 'fcm',
      sid: LOCAL_SID.fcm,
      serviceAccount: {
        projectId: keys.fcm.projectId,
        clientEmail: keys.fcm.clientEmail,
        privateKey: keys.fcm.secret.private_key,
        privateKeyId: keys.fcm.secret.private_key_id,
        tokenUri: fcm.tokenUri,
      },
    },
  };
  const localProviders = {
    apn: createApnsProvider({ baseUrl: config.apnsBaseUrl ?? apns.url, ca: apns.ca }),
    fcm: createFcmProvider({ baseUrl: config.fcmBaseUrl ?? fcm.url }),
  };
  const realProviders = {
    apn: createApnsProvider({ baseUrl: config.apnsBaseUrl }),
    fcm: createFcmProvider({ baseUrl: config.fcmBaseUrl }),
  };
  const route = (platform: PushPlatform): PushProvider => ({
    send: (credential, message) =>
      (options.everythingLocal || credential.sid === LOCAL_SID[platform]
        ? localProviders[platform]
        : realProviders[platform]
      ).send(credential, message),
    close: async () => {
      await Promise.all([localProviders[platform].close(), realProviders[platform].close()]);
    },
  });
  const delivery: PushDelivery = {
    providers: { apn: route('apn'), fcm: route('fcm') },
    fallbackCredential: (platform) => local[platform],
  };
  const push: LocalPush = {
    apns,
    fcm,
    file,
    delivery,
    startQueue: (handler) =>
      (push.queue = startLocalQueue({
        handler,
        maxReceives: config.pushMaxAttempts,
        retryDelayMs: options.retryDelayMs ?? 2_000,
        deadLetterFile: join(options.dir, 'push-dead-letters.jsonl'),
        log: options.log,
      })),
    stop: async () => {
      await push.queue?.stop();
      await Promise.all([delivery.providers.apn.close(), delivery.providers.fcm.close()]);
      await Promise.all([apns.stop(), fcm.stop()]);
    },
  };
  return push;
}
