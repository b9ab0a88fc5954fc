// @ts-nocheck
import * as z from 'zod/mini';
import {
  CHALLENGE_STATUSES,
  MAX_CHALLENGE_TTL_MS,
  DEFAULT_CHALLENGE_TTL_MS,
  type ChallengeField,
} from '../domain/challenge';
import { invalidParameter } from '../domain/errors';
import { parseIsoDateTime } from '../domain/time';
import type { Params } from './form';
import { jsonStringMap, oneOf, parseParams, parseUserJson, repeated, sid, text } from './params';

/** A date-time parsed strictly: `2030-13-45T99:99:99Z` or an offset of `+99:99` is a 400, not a NaN date. */
const isoDate = () =>
  z.pipe(
    z.string(),
    z.transform((value: string, ctx) => {
      const date = parseIsoDateTime(value);
      if (date) return date;
      ctx.issues.push({
        code: 'custom',
        message: 'must be an ISO 8601 date-time such as 2030-01-02T03:04:05Z',
        input: value,
      });
      return z.NEVER;
    }),
  );

/** One `Details.Fields` value: a JSON object `{"label", "value"}` (label ≤ 36, value ≤ 128 characters). */
const detailsField = () =>
  z.pipe(
    text(512),
    z.transform((value: string, ctx): ChallengeField => {
      const fail = (message: string) => {
        ctx.issues.push({ code: 'custom', message, input: value });
        return z.NEVER;
      };
      let parsed: unknown;
      try {
        parsed = parseUserJson(value);
      } catch {
        return fail('each must be a JSON object {"label": …, "value": …}');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return fail('each must be a JSON object {"label": …, "value": …}');
      }
      // Any other key, `__proto__` included, is refused; the field kept is a new object of the two strings.
      const { label, value: fieldValue, ...rest } = parsed as Record<string, unknown>;
      if (typeof label !== 'string' || typeof fieldValue !== 'string' || Object.keys(rest).length > 0) {
        return fail('each must be a JSON object with only string "label" and "value"');
      }
      if (label.length === 0 || label.length > 36) return fail('each label must be 1 to 36 characters');
      if (fieldValue.length > 128) return fail('each value must be at most 128 characters');
      return { label, value: fieldValue };
    }),
  );

const CreateFields = {
  FactorSid: sid('YF'),
  ExpirationDate: z.optional(isoDate()),
  'Details.Message': z.optional(text(256)),
  'Details.Fields': repeated(detailsField(), 20),
  HiddenDetails: z.optional(jsonStringMap(1024)),
  AuthPayload: z.optional(text(8, 3)),
};

/** `POST …/Challenges` parameters; `ExpirationDate` must lie in the future, at most 60 minutes ahead. */
export function newChallengeParams(form: Params, now: Date) {
  const p = parseParams(form, CreateFields);
  const expirationDate = p.ExpirationDate ?? new Date(now.getTime() + DEFAULT_CHALLENGE_TTL_MS);
  const ahead = expirationDate.getTime() - now.getTime();
  if (!(ahead > 0 && ahead <= MAX_CHALLENGE_TTL_MS)) {
    throw invalidParameter('ExpirationDate', 'must be in the future and at most 60 minutes from now');
  }
  return {
    factorSid: p.FactorSid,
    expirationDate,
    message: p['Details.Message'],
    fields: p['Details.Fields'],
    hiddenDetails: p.HiddenDetails,
    authPayload: p.AuthPayload,
  };
}

const ListFields = {
  FactorSid: z.optional(sid('YF')),
  Status: z.optional(oneOf(CHALLENGE_STATUSES)),
  Order: z.optional(oneOf(['asc', 'desc'])),
};

export const listChallengeParams = (query: Params) => parseParams(query, ListFields);

const UpdateFields = {
  AuthPayload: text(5456),
  Metadata: z.optional(jsonStringMap(1024)),
};

export function answerParams(form: Params) {
  const p = parseParams(form, UpdateFields);
  return { authPayload: p.AuthPayload, metadata: p.Metadata };
}
