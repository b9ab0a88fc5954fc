// @ts-nocheck
import * as z from 'zod/mini';
import type { NewFactorRequest } from '../app/factors';
import { invalidParameter, invalidPublicKey, missingParameter } from '../domain/errors';
import type { Factor, FactorChanges } from '../domain/factor';
import { parsePushPublicKey } from '../domain/push-key';
import { normalizeTotpSecret } from '../domain/totp';
import type { Params } from './form';
import { oneOf, parseParams, text } from './params';
import { Metadata, PushConfigFields, TotpConfigFields } from './schemas';

const CreateFields = {
  FriendlyName: text(64),
  FactorType: oneOf(['push', 'totp']),
  'Binding.Alg': z.optional(oneOf(['ES256'])),
  'Binding.PublicKey': z.optional(text(1024)),
  'Binding.Secret': z.optional(text(256)),
  ...TotpConfigFields,
  ...PushConfigFields,
  Metadata,
};

const required = <T>(value: T | undefined, name: string): T => {
  if (value === undefined) throw missingParameter(name);
  return value;
};

/** The parameters of `POST …/Factors`, checked as a whole (push and TOTP need different ones). */
export function newFactorRequest(
  form: Params,
  owner: { serviceSid: string; identity: string },
): NewFactorRequest {
  const p = parseParams(form, CreateFields);
  const common = { ...owner, friendlyName: p.FriendlyName, metadata: p.Metadata };
  if (p.FactorType === 'totp') {
    const given = p['Binding.Secret'];
    const secret = given === undefined ? undefined : normalizeTotpSecret(given);
    if (given !== undefined && !secret) {
      throw invalidParameter('Binding.Secret', 'must be a Base32 secret of at least 16 characters');
    }
    return {
      ...common,
      factorType: 'totp',
      secret,
      config: {
        timeStep: p['Config.TimeStep'],
        skew: p['Config.Skew'],
        codeLength: p['Config.CodeLength'],
        alg: p['Config.Alg'],
      },
    };
  }
  const publicKey = required(p['Binding.PublicKey'], 'Binding.PublicKey');
  const parsed = parsePushPublicKey(publicKey);
  if (typeof parsed === 'string') throw invalidPublicKey(parsed);
  const platform = required(p['Config.NotificationPlatform'], 'Config.NotificationPlatform');
  return {
    ...common,
    factorType: 'push',
    publicKey,
    config: {
      sdkVersion: required(p['Config.SdkVersion'], 'Config.SdkVersion'),
      appId: required(p['Config.AppId'], 'Config.AppId'),
      notificationPlatform: platform,
      notificationToken:
        platform === 'none'
          ? (p['Config.NotificationToken'] ?? null)
          : required(p['Config.NotificationToken'], 'Config.NotificationToken'),
    },
  };
}

const UpdateFields = {
  AuthPayload: z.optional(text(5456)),
  FriendlyName: z.optional(text(64)),
  ...TotpConfigFields,
  ...PushConfigFields,
};

/**
 * The parameters of `POST …/Factors/{Sid}`: the `AuthPayload` that verifies the factor, if any (its shape
 * is checked by the use case, which knows the factor's type), and the settings changes, which depend on
 * the factor's type.
 */
export function factorUpdate(form: Params): {
  authPayload?: string;
  changes: (factor: Factor) => FactorChanges;
} {
  const p = parseParams(form, UpdateFields);
  const changes = (factor: Factor): FactorChanges => {
    if (factor.factorType === 'totp') {
      return {
        friendlyName: p.FriendlyName,
        totp: strip({
          timeStep: p['Config.TimeStep'],
          skew: p['Config.Skew'],
          codeLength: p['Config.CodeLength'],
          alg: p['Config.Alg'],
        }),
      };
    }
    const platform = p['Config.NotificationPlatform'] ?? factor.config.notificationPlatform;
    const token = p['Config.NotificationToken'] ?? factor.config.notificationToken;
    if (platform !== 'none' && !token) throw missingParameter('Config.NotificationToken');
    return {
      friendlyName: p.FriendlyName,
      push: strip({
        sdkVersion: p['Config.SdkVersion'],
        appId: p['Config.AppId'],
        notificationPlatform: p['Config.NotificationPlatform'],
        notificationToken: p['Config.NotificationToken'],
      }),
    };
  };
  return { authPayload: p.AuthPayload, changes };
}

/** Drops the keys whose value is undefined, so that spreading keeps the current settings. */
const strip = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
