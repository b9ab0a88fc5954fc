// @ts-nocheck
import fc from 'fast-check';
import { generateKeyPairSync, type KeyExportOptions, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCertificate } from '../../../infra/local/certificates';
import {
  isParseError,
  parseApnCertificate,
  parseApnTokenSecret,
  parseFcmSecret,
} from '../../../shared/push/credentials';

const pem = (key: KeyObject, type: 'pkcs8' | 'sec1' | 'pkcs1' = 'pkcs8') =>
  key.export({ type, format: 'pem' } as KeyExportOptions<'pem'>).toString();
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const smallRsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });

const serviceAccount = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: 'service_account',
    project_id: 'owl-bank-prod',
    private_key_id: '0123456789abcdef0123456789abcdef01234567',
    private_key: pem(rsa.privateKey),
    client_email: 'firebase-adminsdk-x1y2z@owl-bank-prod.iam.gserviceaccount.com',
    client_id: '123456789012345678901',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    ...overrides,
  });

const apnKey = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    team_id: 'ABCDE12345',
    key_id: 'KEY1234567',
    private_key: pem(p256.privateKey),
    ...overrides,
  });

const errorOf = (value: unknown) => (isParseError(value) ? value.error : undefined);

describe('FCM service account', () => {
  it('parses what Google issues', () => {
    expect(parseFcmSecret(serviceAccount())).toStrictEqual({
      projectId: 'owl-bank-prod',
      clientEmail: 'firebase-adminsdk-x1y2z@owl-bank-prod.iam.gserviceaccount.com',
      privateKey: pem(rsa.privateKey),
      privateKeyId: '0123456789abcdef0123456789abcdef01234567',
      tokenUri: 'https://oauth2.googleapis.com/token',
    });
  });

  it('accepts a PKCS#1 key (normalised to PKCS#8), no private_key_id, and a local http token endpoint', () => {
    const parsed = parseFcmSecret(
      serviceAccount({
        private_key: pem(rsa.privateKey, 'pkcs1'),
        private_key_id: undefined,
        token_uri: 'http://127.0.0.1:4010/token',
      }),
    );
    expect(parsed).toMatchObject({
      privateKey: pem(rsa.privateKey),
      tokenUri: 'http://127.0.0.1:4010/token',
    });
    expect(parsed).not.toHaveProperty('privateKeyId');
    expect(parseFcmSecret(serviceAccount({ token_uri: 'http://localhost:9/token' }))).not.toHaveProperty(
      'error',
    );
  });

  it.each([
    ['', 'the service account is empty'],
    ['not json', 'the service account is not valid JSON'],
    ['[1]', 'the service account is not a JSON object'],
    [serviceAccount({ type: 'authorized_user' }), 'type must be "service_account"'],
    [serviceAccount({ project_id: undefined }), 'project_id is missing'],
    [serviceAccount({ project_id: 42 }), 'project_id must be a string'],
    [serviceAccount({ project_id: 'Owl/Bank' }), 'project_id is not a Google Cloud project id'],
    [serviceAccount({ client_email: 'nobody' }), 'client_email is not an email address'],
    [serviceAccount({ private_key: '' }), 'private_key is empty'],
    [serviceAccount({ private_key: 'MIIEvQIBADANBg' }), 'private_key is not a PEM private key'],
    [serviceAccount({ private_key: pem(p256.privateKey) }), 'private_key must be an RSA private key'],
    [
      serviceAccount({ private_key: pem(smallRsa.privateKey) }),
      'private_key must be an RSA key of at least 2048 bits',
    ],
    [serviceAccount({ token_uri: 'oauth2.googleapis.com/token' }), 'token_uri is not a URL'],
    [serviceAccount({ token_uri: 'http://oauth2.googleapis.com/token' }), 'token_uri must be an https URL'],
    [
      serviceAccount({ token_uri: 'https://u:p@oauth2.googleapis.com/token' }),
      'token_uri must not carry credentials',
    ],
    [
      serviceAccount({ private_key_id: 'has space' }),
      'private_key_id must be a key id of letters, digits, - and _',
    ],
  ])('rejects %#: %s', (text, error) => {
    expect(parseFcmSecret(text)).toStrictEqual({ error });
  });

  it('does not repeat a broken key in its error', () => {
    const broken = pem(rsa.privateKey).replace('MII', 'XXX');
    const error = errorOf(parseFcmSecret(serviceAccount({ private_key: broken })));
    expect(error).toBe('private_key is not a readable PEM private key (an encrypted key is not accepted)');
  });
});

describe('APNs token key', () => {
  it('parses team id, key id and the .p8 key', () => {
    expect(parseApnTokenSecret(apnKey())).toStrictEqual({
      kind: 'token',
      teamId: 'ABCDE12345',
      keyId: 'KEY1234567',
      privateKey: pem(p256.privateKey),
    });
  });

  it.each([
    [apnKey({ team_id: 'abcde12345' }), 'team_id must be 10 uppercase letters or digits'],
    [apnKey({ team_id: 'ABCDE1234' }), 'team_id must be 10 uppercase letters or digits'],
    [apnKey({ key_id: undefined }), 'key_id is missing'],
    [apnKey({ key_id: 'KEY12345678' }), 'key_id must be 10 uppercase letters or digits'],
    [
      apnKey({ private_key: pem(p256.privateKey, 'sec1') }),
      'private_key must be a PKCS#8 PEM ("BEGIN PRIVATE KEY"), as in the .p8 file',
    ],
    [apnKey({ private_key: pem(p384.privateKey) }), 'private_key must be an EC P-256 key'],
    [apnKey({ private_key: pem(rsa.privateKey) }), 'private_key must be an EC P-256 key'],
    [
      apnKey({ private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }),
      'private_key is not a readable PEM private key (an encrypted key is not accepted)',
    ],
    ['{"team_id":', 'the APNs key is not valid JSON'],
  ])('rejects %#: %s', (text, error) => {
    expect(parseApnTokenSecret(text)).toStrictEqual({ error });
  });
});

describe('APNs certificate', () => {
  const issued = issueCertificate({ commonName: 'Apple Push Services: com.example.owlbank', keyType: 'rsa' });
  const other = issueCertificate({ commonName: 'Someone else' });

  it('accepts a certificate with its own key', () => {
    expect(parseApnCertificate(issued.certificate, issued.privateKey)).toStrictEqual({
      kind: 'certificate',
      certificate: issued.certificate.trim(),
      privateKey: issued.privateKey,
    });
  });

  it.each([
    ['garbage', issued.privateKey, 'Certificate is not a PEM certificate'],
    [
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
      issued.privateKey,
      'Certificate is not a readable PEM certificate',
    ],
    [issued.certificate, 'garbage', 'PrivateKey is not a PEM private key'],
    [issued.certificate, other.privateKey, 'PrivateKey does not match the Certificate'],
  ])('rejects %#: %s', (certificate, key, error) => {
    expect(parseApnCertificate(certificate, key)).toStrictEqual({ error: error });
  });
});

describe('no input makes a parser throw, and errors never echo the input', () => {
  // Strings that look like secrets: long enough that finding one inside an error message is no accident.
  const secretish = fc.string({ minLength: 12, maxLength: 200 }).filter((s) => s.trim().length >= 12);
  const anyJson = fc.oneof(
    fc.string(),
    fc.json(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
  );
  const fieldValue = fc.oneof(secretish, fc.integer(), fc.constant(null), fc.boolean(), fc.jsonValue());

  it('FCM service account', () => {
    fc.assert(
      fc.property(anyJson, (text) => {
        const result = parseFcmSecret(text);
        expect(isParseError(result) || typeof result.projectId === 'string').toBe(true);
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('project_id', 'client_email', 'private_key', 'token_uri', 'private_key_id', 'type'),
        fieldValue,
        (field, value) => {
          const result = parseFcmSecret(serviceAccount({ [field]: value }));
          if (isParseError(result) && typeof value === 'string' && value.trim().length >= 12)
            expect(result.error).not.toContain(value);
        },
      ),
    );
  });

  it('APNs token key', () => {
    fc.assert(fc.property(anyJson, (text) => void parseApnTokenSecret(text)));
    fc.assert(
      fc.property(fc.constantFrom('team_id', 'key_id', 'private_key'), fieldValue, (field, value) => {
        const result = parseApnTokenSecret(apnKey({ [field]: value }));
        if (isParseError(result) && typeof value === 'string' && value.trim().length >= 12)
          expect(result.error).not.toContain(value);
      }),
    );
  });

  it('APNs certificate', () => {
    fc.assert(
      fc.property(secretish, secretish, (certificate, key) => {
        const result = parseApnCertificate(certificate, key);
        expect(isParseError(result)).toBe(true);
        if (isParseError(result)) {
          expect(result.error).not.toContain(certificate);
          expect(result.error).not.toContain(key);
        }
      }),
    );
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (a, b) => void parseApnCertificate(a as string, b as string)),
    );
    fc.assert(
      fc.property(fc.anything(), (a) => {
        parseFcmSecret(a as string);
        parseApnTokenSecret(a as string);
      }),
    );
  });
});
