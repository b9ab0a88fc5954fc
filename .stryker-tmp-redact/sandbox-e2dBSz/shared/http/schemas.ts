// @ts-nocheck
import * as z from 'zod/mini';
import { IDENTITY_PATTERN } from '../domain/entity';
import { NOTIFICATION_PLATFORMS } from '../domain/factor';
import { TOTP_ALGORITHMS } from '../domain/totp';
import {
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_STATUSES,
  WEBHOOK_VERSIONS,
  type WebhookSubscription,
} from '../domain/webhook';
import type { Params } from './form';
import { boolean, integer, jsonStringMap, oneOf, parseParams, repeated, sid, text } from './params';

/** Parameter schemas shared by several routes. Limits are the spec's. */

export const identity = () =>
  z
    .string()
    .check(z.regex(IDENTITY_PATTERN, 'must be 8 to 64 letters or digits, in groups joined by single dashes'));

export const PathFields = {
  ServiceSid: sid('VA'),
  Identity: identity(),
  FactorSid: sid('YF'),
  ChallengeSid: sid('YC'),
  AccessTokenSid: sid('YK'),
  PushCredentialSid: sid('CR'),
  WebhookSid: sid('YW'),
};

/** Validates path parameters like any other input: a malformed SID or identity is a 400 naming it. */
const pathFieldSets = new Map<string, Record<string, z.ZodMiniString<string>>>();

export function pathParams<K extends keyof typeof PathFields>(
  params: Record<string, string>,
  names: Record<string, K>,
): Record<K, string> {
  const signature = Object.entries(names).join();
  let fields = pathFieldSets.get(signature);
  if (!fields) {
    fields = Object.fromEntries(Object.entries(names).map(([param, kind]) => [param, PathFields[kind]]));
    pathFieldSets.set(signature, fields);
  }
  const parsed = parseParams(new Map(Object.entries(params).map(([name, value]) => [name, [value]])), fields);
  const entries = Object.entries(names).map(([param, kind]) => [kind, parsed[param]]);
  return Object.fromEntries(entries) as unknown as Record<K, string>;
}

export const ServiceSettings = {
  'Push.IncludeDate': z.optional(boolean()),
  'Push.ApnCredentialSid': z.optional(sid('CR')),
  'Push.FcmCredentialSid': z.optional(sid('CR')),
  'Totp.Issuer': z.optional(text(255)),
  'Totp.TimeStep': z.optional(integer(20, 60)),
  'Totp.CodeLength': z.optional(integer(3, 8)),
  'Totp.Skew': z.optional(integer(0, 2)),
};

export function serviceSettings(form: Params, friendlyName: z.ZodMiniType<string | undefined>) {
  const p = parseParams(form, { FriendlyName: friendlyName, ...ServiceSettings });
  return {
    friendlyName: p.FriendlyName,
    pushIncludeDate: p['Push.IncludeDate'],
    pushApnCredentialSid: p['Push.ApnCredentialSid'],
    pushFcmCredentialSid: p['Push.FcmCredentialSid'],
    totpIssuer: p['Totp.Issuer'],
    totpTimeStep: p['Totp.TimeStep'],
    totpCodeLength: p['Totp.CodeLength'],
    totpSkew: p['Totp.Skew'],
  };
}

export const TotpConfigFields = {
  'Config.TimeStep': z.optional(integer(20, 60)),
  'Config.Skew': z.optional(integer(0, 2)),
  'Config.CodeLength': z.optional(integer(3, 8)),
  'Config.Alg': z.optional(oneOf(TOTP_ALGORITHMS)),
};

export const PushConfigFields = {
  'Config.SdkVersion': z.optional(text(64)),
  'Config.AppId': z.optional(text(100, 0)),
  'Config.NotificationPlatform': z.optional(oneOf(NOTIFICATION_PLATFORMS)),
  'Config.NotificationToken': z.optional(text(255, 32)),
};

export const Metadata = z.optional(jsonStringMap(1024));

/** The key of `…/Entities/{Identity}/<Factors|Challenges>/{Sid}` in the caller's account. */
const itemKey =
  (sidKind: 'FactorSid' | 'ChallengeSid') =>
  (params: Record<string, string>, principal: { accountSid: string }) => {
    const p = pathParams(params, { ServiceSid: 'ServiceSid', Identity: 'Identity', Sid: sidKind });
    return {
      accountSid: principal.accountSid,
      serviceSid: p.ServiceSid,
      identity: p.Identity,
      sid: p[sidKind],
    };
  };

export const factorKey = itemKey('FactorSid');
export const challengeKey = itemKey('ChallengeSid');

/** `…/Entities/{Identity}` of the caller's account. */
export function entityOwner(params: Record<string, string>, principal: { accountSid: string }) {
  const p = pathParams(params, { ServiceSid: 'ServiceSid', Identity: 'Identity' });
  return { accountSid: principal.accountSid, serviceSid: p.ServiceSid, identity: p.Identity };
}

/** Notify v1 credential parameters (create and update); `Type` only on create. */
export function pushCredentialInput(form: Params) {
  const p = parseParams(form, {
    FriendlyName: z.optional(text(64)),
    Certificate: z.optional(text(16_384)),
    PrivateKey: z.optional(text(16_384)),
    Sandbox: z.optional(boolean()),
    ApiKey: z.optional(text(4096)),
    Secret: z.optional(text(16_384)),
  });
  return {
    friendlyName: p.FriendlyName,
    certificate: p.Certificate,
    privateKey: p.PrivateKey,
    sandbox: p.Sandbox,
    apiKey: p.ApiKey,
    secret: p.Secret,
  };
}

const SUBSCRIPTIONS: readonly string[] = ['*', ...WEBHOOK_EVENT_TYPES];

/** An `EventTypes` value: one of the five event types or `*`, named when it is not. */
const eventType = () =>
  z.string().check(
    z.refine((value: string) => SUBSCRIPTIONS.includes(value), {
      error: (issue) =>
        `${JSON.stringify(String(issue.input).slice(0, 64))} is not an event type; use ${SUBSCRIPTIONS.join(', ')}`,
    }),
  );

const webhookFields = {
  FriendlyName: z.optional(text(64)),
  EventTypes: repeated(eventType(), 12),
  WebhookUrl: z.optional(text(4096)),
  Status: z.optional(oneOf(WEBHOOK_STATUSES)),
  Version: z.optional(oneOf(WEBHOOK_VERSIONS)),
};

/** Webhook parameters (create and update; create's required ones are checked by the use case). */
export function webhookInput(form: Params) {
  const p = parseParams(form, webhookFields);
  return {
    friendlyName: p.FriendlyName,
    eventTypes: p.EventTypes as WebhookSubscription[] | undefined,
    webhookUrl: p.WebhookUrl,
    status: p.Status,
    version: p.Version,
  };
}

/** `…/Services/{ServiceSid}/Webhooks/{Sid}` of the caller's account. */
export function webhookKey(params: Record<string, string>, principal: { accountSid: string }) {
  const p = pathParams(params, { ServiceSid: 'ServiceSid', Sid: 'WebhookSid' });
  return { accountSid: principal.accountSid, serviceSid: p.ServiceSid, sid: p.WebhookSid };
}
