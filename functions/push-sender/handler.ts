import type { SQSEvent } from 'aws-lambda';
import { processPushQueue } from '../../shared/app/push-sender';
import { secretSealer } from '../../shared/crypto';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { eventBridgePublisher } from '../../shared/events/eventbridge';
import { pushDelivery } from '../../shared/push';

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

export const handler = fromEnvironment(build, { sealer: secretSealer, push: pushDelivery });
