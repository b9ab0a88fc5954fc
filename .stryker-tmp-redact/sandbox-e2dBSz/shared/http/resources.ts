// @ts-nocheck
import { challengeDetails, effectiveStatus, signedFields, type Challenge } from '../domain/challenge';
import type { AccessToken } from '../domain/access-token';
import type { Entity } from '../domain/entity';
import type { Factor } from '../domain/factor';
import type { Notification } from '../domain/notification';
import type { PushCredential } from '../domain/push-credential';
import { totpIssuer, type Service } from '../domain/service';
import type { Webhook } from '../domain/webhook';
import { Links } from './links';

/** Domain records as Twilio Verify v2 JSON (snake_case, absolute URLs). */

export const serviceJson = (s: Service, base: string) => ({
  sid: s.sid,
  account_sid: s.accountSid,
  friendly_name: s.friendlyName,
  // The SMS/voice settings of a Verify Service do not apply to Push and TOTP; they answer their defaults.
  code_length: 6,
  lookup_enabled: false,
  psd2_enabled: false,
  skip_sms_to_landlines: false,
  dtmf_input_required: false,
  tts_name: null,
  do_not_share_warning_enabled: false,
  custom_code_enabled: false,
  push: {
    include_date: s.push.includeDate,
    apn_credential_sid: s.push.apnCredentialSid,
    fcm_credential_sid: s.push.fcmCredentialSid,
  },
  totp: {
    issuer: totpIssuer(s),
    time_step: s.totp.timeStep,
    code_length: s.totp.codeLength,
    skew: s.totp.skew,
  },
  whatsapp: null,
  passkeys: null,
  default_template_sid: null,
  verify_event_subscription_enabled: false,
  date_created: s.dateCreated,
  date_updated: s.dateUpdated,
  url: Links.service(base, s.sid),
  links: {
    entities: Links.entities(base, s.sid),
    access_tokens: `${Links.service(base, s.sid)}/AccessTokens`,
    webhooks: Links.webhooks(base, s.sid),
  },
});

export const entityJson = (e: Entity, base: string) => ({
  sid: e.sid,
  identity: e.identity,
  account_sid: e.accountSid,
  service_sid: e.serviceSid,
  date_created: e.dateCreated,
  date_updated: e.dateUpdated,
  url: Links.entity(base, e.serviceSid, e.identity),
  links: {
    factors: Links.factors(base, e.serviceSid, e.identity),
    new_factors: Links.factors(base, e.serviceSid, e.identity),
    challenges: Links.challenges(base, e.serviceSid, e.identity),
  },
});

function configJson(f: Factor) {
  if (f.factorType === 'totp') {
    return {
      alg: f.config.alg,
      skew: f.config.skew,
      code_length: f.config.codeLength,
      time_step: f.config.timeStep,
    };
  }
  return {
    sdk_version: f.config.sdkVersion,
    app_id: f.config.appId,
    notification_platform: f.config.notificationPlatform,
    notification_token: f.config.notificationToken,
    credential_sid: f.config.credentialSid,
  };
}

/** `binding` is only passed on creation: Twilio returns a factor's binding (and TOTP secret) only once. */
export const factorJson = (f: Factor, base: string, binding?: Record<string, string>) => ({
  sid: f.sid,
  account_sid: f.accountSid,
  service_sid: f.serviceSid,
  entity_sid: f.entitySid,
  identity: f.identity,
  ...(binding ? { binding, options: null } : {}),
  date_created: f.dateCreated,
  date_updated: f.dateUpdated,
  friendly_name: f.friendlyName,
  status: f.status,
  factor_type: f.factorType,
  config: configJson(f),
  metadata: f.metadata,
  url: Links.factor(base, f.serviceSid, f.identity, f.sid),
});

/** The status is the effective one: a pending challenge past its expiration date reads as expired. */
export const challengeJson = (c: Challenge, base: string, now: Date) => ({
  ...signedFields(c),
  details: challengeDetails(c),
  hidden_details: c.hiddenDetails,
  date_updated: c.dateUpdated,
  date_responded: c.dateResponded,
  status: effectiveStatus(c, now),
  responded_reason: c.respondedReason,
  metadata: c.metadata,
  factor_type: c.factorType,
  url: Links.challenge(base, c.serviceSid, c.identity, c.sid),
  links: { notifications: `${Links.challenge(base, c.serviceSid, c.identity, c.sid)}/Notifications` },
});

/** A resend request: the spec's shape (no `url`, no `links`). */
export const notificationJson = (n: Notification) => ({
  sid: n.sid,
  account_sid: n.accountSid,
  service_sid: n.serviceSid,
  entity_sid: n.entitySid,
  identity: n.identity,
  challenge_sid: n.challengeSid,
  priority: n.priority,
  ttl: n.ttl,
  date_created: n.dateCreated,
});

/** `Twilio-Verify-Signature-Fields` for a pending challenge: the body fields a device signs in its answer. */
export const signatureFieldsHeader = (c: Challenge, now: Date): Record<string, string> =>
  effectiveStatus(c, now) === 'pending'
    ? { 'Twilio-Verify-Signature-Fields': Object.keys(signedFields(c)).join(',') }
    : {};

/** `token` only at creation: the stored record has only its hash. */
export const accessTokenJson = (t: AccessToken, token: string | null, base: string) => ({
  sid: t.sid,
  account_sid: t.accountSid,
  service_sid: t.serviceSid,
  entity_identity: t.identity,
  factor_type: t.factorType,
  factor_friendly_name: t.factorFriendlyName,
  token,
  ttl: t.ttl,
  date_created: t.dateCreated,
  url: `${Links.service(base, t.serviceSid)}/AccessTokens/${t.sid}`,
});

/** A Notify v1 credential: never its secret. `sandbox` is a string, as Twilio returns it. */
export const pushCredentialJson = (c: PushCredential, base: string) => ({
  sid: c.sid,
  account_sid: c.accountSid,
  friendly_name: c.friendlyName,
  type: c.type,
  sandbox: c.sandbox ? 'True' : 'False',
  date_created: c.dateCreated,
  date_updated: c.dateUpdated,
  url: Links.pushCredential(base, c.sid),
});

/** A Verify webhook: `webhook_method` is always POST (not settable, as at Twilio). */
export const webhookJson = (w: Webhook, base: string) => ({
  sid: w.sid,
  service_sid: w.serviceSid,
  account_sid: w.accountSid,
  friendly_name: w.friendlyName,
  event_types: w.eventTypes,
  status: w.status,
  version: w.version,
  webhook_url: w.webhookUrl,
  webhook_method: 'POST',
  date_created: w.dateCreated,
  date_updated: w.dateUpdated,
  url: Links.webhook(base, w.serviceSid, w.sid),
});
