import type { SQSEvent } from 'aws-lambda';
import { processPushQueue } from '../../shared/app/push-sender';
import { secretSealer } from '../../shared/crypto';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { eventBridgePublisher } from '../../shared/events/eventbridge';
import type { PushDelivery } from '../../shared/app/notifications';
import type { Config } from '../../shared/config';
import { createApnsProvider } from '../../shared/push/apns';
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
  return async (event: SQSEvent, _context?: unknown) => processPushQueue(event.Records, senderDeps);
};

/**
 * APNs and FCM at Apple's and Google's hosts, or wherever `APNS_BASE_URL` / `FCM_BASE_URL` point. Made
 * once per function instance, so their connections and tokens serve every invocation of a warm instance.
 */
const pushDelivery = ({ config }: { config: Config }): PushDelivery => ({
  providers: {
    apn: createApnsProvider({ baseUrl: config.apnsBaseUrl }),
    fcm: createFcmProvider({ baseUrl: config.fcmBaseUrl }),
  },
});

export const handler = fromEnvironment(build, { sealer: secretSealer, push: pushDelivery });
