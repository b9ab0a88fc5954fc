import { describe, expect, it } from 'vitest';
import { isSecretName, redact, redactString, REDACTED } from '../../../shared/observability/redact';

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJBQzEyMyJ9.c2lnbmF0dXJlX2J5dGVz';
const SEALED = 'v1.d3JhcHBlZA==.aXY=.Y2lwaGVy.dGFn';
const TOKEN = '0123456789abcdef0123456789abcdef';
const SID = `AC${TOKEN}`;
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('isSecretName', () => {
  it.each([
    'code',
    'Code',
    'otp',
    'totp',
    'pin',
    'payload',
    'body',
    'headers',
    'binding',
    'assertion',
    'credentials',
    'secret',
    'binding_secret',
    'authToken',
    'auth_token',
    'notification_token',
    'password',
    'Authorization',
    'authorization',
    'authPayload',
    'AuthPayload',
    'jwt',
    'deviceJwt',
    'sealed',
    'sealedSecret',
    'private_key',
    'privateKey',
    'X-Twilio-Signature',
    'signature',
    'cookie',
    'Set-Cookie',
  ])('%s is secret', (name) => expect(isSecretName(name)).toBe(true));

  it.each([
    'error_code',
    'errorCode',
    'status',
    'route',
    'account_sid',
    'credential_sid',
    'challengeSid',
    'message',
    'latency_ms',
    'eventKey',
    'reason',
    'pinned_at',
    'codes_used',
    'bodyless',
    'auth',
  ])('%s is not', (name) => expect(isSecretName(name)).toBe(false));
});

describe('redactString', () => {
  it('removes Authorization header values, keeping the scheme', () => {
    expect(redactString('Authorization: Basic QUMxMjM6c2VjcmV0')).toBe(`Authorization: Basic ${REDACTED}`);
    expect(redactString('authorization: bearer abc.def-ghi_jk')).toBe(`authorization: bearer ${REDACTED}`);
    expect(redactString('BEARER\tabcdefgh')).toBe(`BEARER\t${REDACTED}`);
    // Short words after "basic" are ordinary text.
    expect(redactString('basic check')).toBe('basic check');
  });

  it('removes JWTs, sealed secrets, bare auth tokens and Base32 secrets wherever they are', () => {
    expect(redactString(`token ${JWT} end`)).toBe(`token ${REDACTED} end`);
    expect(redactString(`stored ${SEALED};`)).toBe(`stored ${REDACTED};`);
    expect(redactString(`stored v1.a.b..c`)).toBe(`stored ${REDACTED}`);
    expect(redactString(`token=${TOKEN}.`)).toBe(`token=${REDACTED}.`);
    expect(redactString(`secret ${TOTP_SECRET}`)).toBe(`secret ${REDACTED}`);
    expect(redactString('JBSWY3DPEHPK3PXP')).toBe(REDACTED);
  });

  it('keeps SIDs, identifiers and ordinary words', () => {
    for (const text of [
      SID,
      `YC${TOKEN}`,
      '1-5759e988-bd862e3fe1be46a994272793',
      'CONDITIONALCHECKFAILED',
      'JBSWY3DPEHPK3PX',
      `${TOKEN}0`,
      TOKEN.toUpperCase(),
      'eyJhbGciOiJFUzI1NiJ9.only-two',
      'v1.only.three',
      'a.b.c',
    ]) {
      expect(redactString(text), text).toBe(text);
    }
  });

  it('is linear: a long input is handled at once', () => {
    const long = 'A'.repeat(200_000) + 'a';
    expect(redactString(long)).toBe(long);
  });
});

describe('redact', () => {
  it('replaces the values of secret fields at any depth, keeping booleans and null', () => {
    expect(
      redact({
        account_sid: SID,
        status: 403,
        nested: {
          auth_token: 'x',
          list: [{ code: 123456 }, { ok: 'fine' }],
          tokenInvalidated: true,
          secret: null,
        },
        headers: { Authorization: 'Basic abc' },
      }),
    ).toEqual({
      account_sid: SID,
      status: 403,
      nested: {
        auth_token: REDACTED,
        list: [{ code: REDACTED }, { ok: 'fine' }],
        tokenInvalidated: true,
        secret: null,
      },
      headers: REDACTED,
    });
  });

  it('scans every string, in arrays and objects', () => {
    expect(redact([`a ${JWT}`, { note: `b ${TOKEN}` }])).toEqual([
      `a ${REDACTED}`,
      { note: `b ${REDACTED}` },
    ]);
  });

  it('turns errors into name, message and stack, scanned', () => {
    const error = new TypeError(`bad ${JWT}`);
    const result = redact({ error }) as { error: Record<string, string> };
    expect(result.error.name).toBe('TypeError');
    expect(result.error.message).toBe(`bad ${REDACTED}`);
    expect(result.error.stack).toContain(`TypeError: bad ${REDACTED}`);
    expect(result.error.stack).not.toContain(JWT);
  });

  it('passes numbers, booleans, null and undefined through', () => {
    expect(redact(5)).toBe(5);
    expect(redact(false)).toBe(false);
    expect(redact(null)).toBe(null);
    expect(redact(undefined)).toBe(undefined);
  });

  it('stops at a depth of 8, which also ends cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const result = redact(cyclic) as Record<string, unknown>;
    let node = result;
    for (let depth = 0; depth < 7; depth++) node = node.self as Record<string, unknown>;
    expect(node.name).toBe('loop');
    expect(node.self).toBe(REDACTED);
    // Nine arrays deep: the ninth (depth 8) is cut; eight deep keeps its string.
    expect(redact([[[[[[[[['nine']]]]]]]]])).toEqual([[[[[[[[REDACTED]]]]]]]]);
    expect(redact([[[[[[[['eight']]]]]]]])).toEqual([[[[[[[['eight']]]]]]]]);
  });
});
