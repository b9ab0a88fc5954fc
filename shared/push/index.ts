export * from './types';
export * from './payloads';
export * from './errors';
export * from './credentials';
export {
  createApnsProvider,
  createProviderTokens,
  APNS_PRODUCTION,
  APNS_SANDBOX,
  APNS_TOKEN_REFRESH_MS,
} from './apns';
export type { ApnsProviderOptions } from './apns';
export { createFcmProvider, FCM_BASE_URL, FCM_SCOPE, FCM_TOKEN_MARGIN_MS } from './fcm';
export type { FcmProviderOptions } from './fcm';
