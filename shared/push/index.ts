import type { PushDelivery } from '../app/notifications';
import type { Config } from '../config';
import { createApnsProvider } from './apns';
import { createFcmProvider } from './fcm';

/**
 * The providers the sender delivers through: APNs and FCM at Apple's and Google's hosts, or wherever
 * `APNS_BASE_URL` / `FCM_BASE_URL` point. Made once per function instance, so their connections and
 * tokens serve every invocation of a warm instance.
 */
export const pushDelivery = ({ config }: { config: Config }): PushDelivery => ({
  providers: {
    apn: createApnsProvider({ baseUrl: config.apnsBaseUrl }),
    fcm: createFcmProvider({ baseUrl: config.fcmBaseUrl }),
  },
});
