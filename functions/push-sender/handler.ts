import type { SQSEvent } from 'aws-lambda';
import { processPushQueue } from '../../shared/app/push-sender';
import { secretSealer } from '../../shared/crypto';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { eventBridgePublisher } from '../../shared/events/eventbridge';
import { observedBatchHandler } from '../../shared/observability/handler';
import { traceHttp, tracedFetch } from '../../shared/observability/xray';
import type { PushDelivery } from '../../shared/app/notifications';
import type { Config } from '../../shared/config';
import { apnsOrigin, createApnsProvider } from '../../shared/push/apns';
import type { PushProvider, SendOutcome } from '../../shared/push/types';
import { createFcmProvider } from '../../shared/push/fcm';

/**
 * The push queue (notification.requested events, routed by an EventBridge rule) → APNs and FCM, with
 * partial batch failures. Reports notification.sent / notification.failed on the bus.
 */
export const build = (deps: Dependencies) => {
  const senderDeps = {
    challenges: deps.challenges,
    factors: deps.factors,
    pushCredentials: deps.pushCredentials,
    get sealer() {
      return deps.sealer;
    },
    push: deps.push,
    now: deps.now,
    publisher: eventBridgePublisher(deps.config),
    maxAttempts: deps.config.pushMaxAttempts,
  };
  return observedBatchHandler('PushSender', deps.config, async (event: SQSEvent, _context?: unknown) =>
    processPushQueue(event.Records, senderDeps),
  );
};

/**
 * APNs and FCM at Apple's and Google's hosts, or wherever `APNS_BASE_URL` / `FCM_BASE_URL` point. Made
 * once per function instance, so their connections and tokens serve every invocation of a warm instance.
 */
const pushDelivery = ({ config }: { config: Config }): PushDelivery => ({
  providers: {
    apn: tracedApns(createApnsProvider({ baseUrl: config.apnsBaseUrl }), config.apnsBaseUrl),
    // Each HTTP request (the OAuth token's and the send's) is its own X-Ray subsegment.
    fcm: createFcmProvider({ baseUrl: config.fcmBaseUrl, fetch: tracedFetch }),
  },
});

const statusOf = (outcome: SendOutcome) => (outcome.kind === 'sent' ? 200 : outcome.status);

/** APNs sends over its own HTTP/2 sessions: each send (with its reconnect or token refresh) is one subsegment. */
const tracedApns = (provider: PushProvider, baseUrl?: string): PushProvider => ({
  send: (credential, message) =>
    traceHttp(
      credential.type === 'apn' ? apnsOrigin(credential, baseUrl) : 'apns:',
      'POST',
      () => provider.send(credential, message),
      statusOf,
    ),
  close: () => provider.close(),
});

export const handler = fromEnvironment(build, { sealer: secretSealer, push: pushDelivery });
