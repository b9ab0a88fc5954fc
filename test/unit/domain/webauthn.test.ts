import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../shared/domain/errors';
import {
  credentialIdCandidates,
  decodeBase64url,
  parseAttestationObject,
  parseAuthenticatorData,
  parseClientData,
  parseCoseKey,
} from '../../../shared/domain/webauthn/parse';
import {
  verifyAssertion,
  verifyRegistration,
  type Expectations,
  type UserVerification,
} from '../../../shared/domain/webauthn/verify';
import {
  attestationObject,
  authenticatorData,
  coseKey,
  FLAGS,
  SoftwareAuthenticator,
  type Algorithm,
} from '../../support/webauthn';

const ORIGIN = 'https://app.example.com';
const RP_ID = 'example.com';
const CHALLENGE = Buffer.from('YF0123456789abcdef0123456789abcdef').toString('base64url');
const ALL = [-7, -8, -257];

const expected = (userVerification: UserVerification = 'preferred'): Expectations => ({
  challenge: CHALLENGE,
  origins: [ORIGIN, 'http://localhost:3001'],
  rpId: RP_ID,
  userVerification,
});
const creation = { challenge: CHALLENGE, rp: { id: RP_ID }, user: { id: 'WUUx' } };

/** Runs a registration response through the verifier, as the use case does. */
const register = (
  body: ReturnType<SoftwareAuthenticator['register']>,
  uv: UserVerification = 'preferred',
  algorithms = ALL,
) =>
  verifyRegistration(
    {
      id: body.id,
      rawId: body.rawId,
      type: body.type,
      clientData: parseClientData(body.response.clientDataJSON),
      attestationObject: body.response.attestationObject,
    },
    { ...expected(uv), algorithms },
  );

/** The Twilio code of the DomainError `run` throws. */
function codeOf(run: () => unknown): number | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.detail.code;
    throw error;
  }
  throw new Error('expected a failure');
}

/** An authenticator registered through the verifier, with the stored credential an assertion is checked against. */
function registered(alg: Algorithm = 'ES256', flags = FLAGS.UP | FLAGS.UV) {
  const authenticator = new SoftwareAuthenticator(ORIGIN, alg, { flags });
  const credential = register(authenticator.register(creation));
  const stored = {
    publicKey: credential.publicKey,
    signCount: credential.signCount,
    backupEligible: credential.backupEligible,
  };
  const assertWith = (
    body: ReturnType<SoftwareAuthenticator['assert']>,
    uv: UserVerification = 'preferred',
    store = stored,
  ) =>
    verifyAssertion(
      {
        clientData: parseClientData(body.response.clientDataJSON),
        authenticatorData: body.response.authenticatorData,
        signature: body.response.signature,
      },
      store,
      expected(uv),
    );
  return { authenticator, credential, stored, assertWith };
}
const request = { challenge: CHALLENGE, rpId: RP_ID };

describe('WebAuthn registration (W3C §7.1)', () => {
  it.each<Algorithm>(['ES256', 'RS256', 'EdDSA'])('verifies a %s credential with attestation none', (alg) => {
    const authenticator = new SoftwareAuthenticator(ORIGIN, alg);
    const credential = register(authenticator.register(creation));
    expect(credential).toMatchObject({
      credentialId: authenticator.id,
      alg: { ES256: -7, RS256: -257, EdDSA: -8 }[alg],
      signCount: 0,
      userVerified: true,
      backupEligible: false,
      backupState: false,
      aaguid: '0'.repeat(32),
    });
    expect(parseCoseKey(Buffer.from(credential.publicKey, 'base64url')).alg).toBe(credential.alg);
  });

  it.each<Algorithm>(['ES256', 'RS256', 'EdDSA'])('verifies packed self-attestation (%s)', (alg) => {
    const authenticator = new SoftwareAuthenticator(ORIGIN, alg);
    expect(register(authenticator.register(creation, { fmt: 'packed' })).credentialId).toBe(authenticator.id);
  });

  const a = () => new SoftwareAuthenticator(ORIGIN);
  it.each([
    ['the type is not public-key', () => register(a().register(creation, { type: 'private-key' })), 60378],
    [
      'clientData.type is webauthn.get',
      () => register(a().register(creation, { clientData: { type: 'webauthn.get' } })),
      60380,
    ],
    [
      'the challenge is another one',
      () => register(a().register(creation, { clientData: { challenge: 'WUZ4' } })),
      60380,
    ],
    [
      'the origin is not allowed',
      () => register(a().register(creation, { clientData: { origin: 'https://evil.example' } })),
      60380,
    ],
    [
      'the origin differs by port',
      () => register(a().register(creation, { clientData: { origin: 'http://localhost:3002' } })),
      60380,
    ],
    [
      'it comes from a cross-origin frame',
      () => register(a().register(creation, { clientData: { crossOrigin: true } })),
      60380,
    ],
    [
      'it names a top origin',
      () => register(a().register(creation, { clientData: { topOrigin: ORIGIN } })),
      60380,
    ],
    [
      'the RP ID hash is another RP’s',
      () => register(a().register(creation, { rpId: 'evil.example' })),
      60379,
    ],
    ['UP is clear', () => register(a().register(creation, { flags: FLAGS.UV | FLAGS.AT })), 60379],
    [
      'UV is clear and required',
      () => register(a().register(creation, { flags: FLAGS.UP | FLAGS.AT }), 'required'),
      60379,
    ],
    [
      'BS is set without BE',
      () => register(a().register(creation, { flags: FLAGS.UP | FLAGS.BS | FLAGS.AT })),
      60379,
    ],
    ['AT is clear', () => register(a().register(creation, { flags: FLAGS.UP })), 60379],
    ['the algorithm was not offered', () => register(a().register(creation), 'preferred', [-257]), 60385],
    ['the format is unsupported', () => register(a().register(creation, { fmt: 'tpm' })), 60386],
    [
      'none has a statement',
      () => register(a().register(creation, { attStmt: new Map([['sig', new Uint8Array(2)]]) })),
      60386,
    ],
    [
      'packed has a certificate chain',
      () =>
        register(
          a().register(creation, {
            fmt: 'packed',
            attStmt: new Map<string, CBORType>([
              ['alg', -7],
              ['sig', new Uint8Array(8)],
              ['x5c', []],
            ]),
          }),
        ),
      60386,
    ],
    [
      'packed names another algorithm',
      () =>
        register(
          a().register(creation, {
            fmt: 'packed',
            attStmt: new Map<string, CBORType>([
              ['alg', -257],
              ['sig', new Uint8Array(8)],
            ]),
          }),
        ),
      60386,
    ],
    [
      'packed has no signature',
      () =>
        register(
          a().register(creation, { fmt: 'packed', attStmt: new Map<string, CBORType>([['alg', -7]]) }),
        ),
      60386,
    ],
    [
      'packed self-attestation signature is wrong',
      () =>
        register(
          a().register(creation, {
            fmt: 'packed',
            attStmt: new Map<string, CBORType>([
              ['alg', -7],
              ['sig', new Uint8Array(70)],
            ]),
          }),
        ),
      60386,
    ],
  ])('refuses a registration when %s', (_why, run, code) => {
    expect(codeOf(run)).toBe(code);
  });

  it('refuses an id or rawId that is not the credential ID, and takes a hex rawId', () => {
    const authenticator = a();
    const body = authenticator.register(creation);
    expect(codeOf(() => register({ ...body, id: Buffer.from('other').toString('base64url') }))).toBe(60375);
    expect(codeOf(() => register({ ...body, rawId: 'not-it' }))).toBe(60376);
    expect(register({ ...body, rawId: authenticator.credentialId.toString('hex') }).credentialId).toBe(
      authenticator.id,
    );
  });

  it('refuses unsupported or malformed COSE keys', () => {
    const { publicKey } = new SoftwareAuthenticator(ORIGIN).keys;
    const tamper = (overrides: Map<number, CBORType>) =>
      codeOf(() => register(a().register(creation, { publicKey: coseKey(publicKey, 'ES256', overrides) })));
    expect(tamper(new Map([[3, -36]]))).toBe(60385); // ES512
    expect(tamper(new Map([[-1, 2]]))).toBe(60385); // P-384 curve
    expect(tamper(new Map([[1, 1]]))).toBe(60385); // OKP with ES256
    expect(tamper(new Map([[-2, new Uint8Array(31)]]))).toBe(60385); // short x
    expect(tamper(new Map([[-3, undefined]]))).toBe(60385); // no y
    expect(
      tamper(
        new Map([
          [-2, new Uint8Array(32)],
          [-3, new Uint8Array(32)],
        ]),
      ),
    ).toBe(60385); // off the curve
  });
});

describe('WebAuthn assertions (W3C §7.2)', () => {
  it.each<Algorithm>(['ES256', 'RS256', 'EdDSA'])(
    'verifies a %s assertion and returns the new count',
    (alg) => {
      const { authenticator, assertWith } = registered(alg);
      expect(assertWith(authenticator.assert(request))).toEqual({
        outcome: 'verified',
        signCount: 2,
        userVerified: true,
        backupState: false,
      });
    },
  );

  it.each([
    ['clientData.type is webauthn.create', { clientData: { type: 'webauthn.create' } }, 60380],
    ['the challenge is another one', { clientData: { challenge: 'WUMx' } }, 60380],
    ['the origin is not allowed', { clientData: { origin: 'https://app.example.com:8443' } }, 60380],
    ['the RP ID hash is another RP’s', { rpId: 'other.example' }, 60379],
    ['UP is clear', { flags: FLAGS.UV }, 60379],
    ['the signature is altered', { badSignature: true }, 60381],
  ] as const)('refuses an assertion when %s', (_why, overrides, code) => {
    const { authenticator, assertWith } = registered();
    expect(codeOf(() => assertWith(authenticator.assert(request, overrides)))).toBe(code);
  });

  it('requires UV only when user verification is required', () => {
    const { authenticator, assertWith } = registered();
    expect(assertWith(authenticator.assert(request, { flags: FLAGS.UP }), 'preferred').outcome).toBe(
      'verified',
    );
    expect(codeOf(() => assertWith(authenticator.assert(request, { flags: FLAGS.UP }), 'required'))).toBe(
      60379,
    );
  });

  it('refuses a change of backup eligibility, and BS without BE', () => {
    const { authenticator, assertWith } = registered();
    expect(codeOf(() => assertWith(authenticator.assert(request, { flags: FLAGS.UP | FLAGS.BE })))).toBe(
      60379,
    );
    expect(codeOf(() => assertWith(authenticator.assert(request, { flags: FLAGS.UP | FLAGS.BS })))).toBe(
      60379,
    );
    const synced = registered('ES256', FLAGS.UP | FLAGS.BE | FLAGS.BS);
    expect(synced.assertWith(synced.authenticator.assert(request))).toMatchObject({
      outcome: 'verified',
      backupState: true,
    });
  });

  it('reports a sign count that does not increase, and accepts 0 after 0', () => {
    const { authenticator, stored, assertWith } = registered();
    const counted = { ...stored, signCount: 5 };
    expect(assertWith(authenticator.assert(request, { signCount: 5 }), 'preferred', counted)).toEqual({
      outcome: 'counter-regressed',
      signCount: 5,
      storedSignCount: 5,
    });
    expect(assertWith(authenticator.assert(request, { signCount: 3 }), 'preferred', counted).outcome).toBe(
      'counter-regressed',
    );
    expect(assertWith(authenticator.assert(request, { signCount: 6 }), 'preferred', counted).outcome).toBe(
      'verified',
    );
    expect(
      assertWith(authenticator.assert(request, { signCount: 0 }), 'preferred', { ...stored, signCount: 0 })
        .outcome,
    ).toBe('verified');
  });

  it('does not report a regression before the signature holds (no event from forged assertions)', () => {
    const { authenticator, stored, assertWith } = registered();
    const forged = authenticator.assert(request, { signCount: 0, badSignature: true });
    expect(codeOf(() => assertWith(forged, 'preferred', { ...stored, signCount: 9 }))).toBe(60381);
  });

  it('refuses another credential’s signature', () => {
    const { authenticator, assertWith } = registered();
    const other = new SoftwareAuthenticator(ORIGIN);
    expect(codeOf(() => assertWith(other.assert(request)))).toBe(60381);
    expect(authenticator.signCount).toBe(1);
  });

  it('refuses missing or non-base64url authenticator data and signatures', () => {
    const { authenticator, assertWith } = registered();
    const body = authenticator.assert(request);
    expect(codeOf(() => assertWith({ ...body, response: { ...body.response, authenticatorData: '' } }))).toBe(
      60379,
    );
    expect(codeOf(() => assertWith({ ...body, response: { ...body.response, signature: 'a!b' } }))).toBe(
      60381,
    );
  });
});

describe('Authenticator data parsing: every slice bounds-checked', () => {
  const key = coseKey(new SoftwareAuthenticator(ORIGIN).keys.publicKey, 'ES256');
  const full = authenticatorData({
    rpId: RP_ID,
    flags: FLAGS.UP | FLAGS.AT,
    signCount: 7,
    attested: { credentialId: Buffer.alloc(16, 1), publicKey: key },
  });

  it('parses the header, the attested credential data and the key', () => {
    const data = parseAuthenticatorData(full);
    expect(data.signCount).toBe(7);
    expect(data.rpIdHash).toEqual(createHash('sha256').update(RP_ID).digest());
    expect(data.attested?.credentialId).toEqual(Buffer.alloc(16, 1));
    expect(data.attested?.publicKey).toEqual(key);
  });

  it('refuses every truncation of the data', () => {
    for (let length = 0; length < full.length; length++) {
      expect(
        codeOf(() => parseAuthenticatorData(full.subarray(0, length))),
        `length ${length}`,
      ).toBe(60379);
    }
  });

  it('refuses trailing bytes, a zero or oversized credential ID length, and extensions that are not there', () => {
    expect(codeOf(() => parseAuthenticatorData(Buffer.concat([full, Buffer.from([0])])))).toBe(60379);
    const zeroLength = Buffer.from(full);
    zeroLength.writeUInt16BE(0, 53);
    expect(codeOf(() => parseAuthenticatorData(zeroLength))).toBe(60379);
    const huge = Buffer.from(full);
    huge.writeUInt16BE(1024, 53);
    expect(codeOf(() => parseAuthenticatorData(huge))).toBe(60379);
    const overrun = Buffer.from(full);
    overrun.writeUInt16BE(200, 53);
    expect(codeOf(() => parseAuthenticatorData(overrun))).toBe(60379);
    const ed = Buffer.from(full);
    ed[32] = ed[32]! | FLAGS.ED;
    expect(codeOf(() => parseAuthenticatorData(ed))).toBe(60379);
  });

  it('takes an extensions map after the key when ED is set, and refuses a key that is not a map', () => {
    const extensions = Buffer.from(encodeCBOR(new Map([['credProps', true]])));
    const withExtensions = authenticatorData({
      rpId: RP_ID,
      flags: FLAGS.UP | FLAGS.AT | FLAGS.ED,
      signCount: 1,
      attested: { credentialId: Buffer.alloc(16, 1), publicKey: key },
      extensions,
    });
    expect(parseAuthenticatorData(withExtensions).attested?.publicKey).toEqual(key);
    const notMap = authenticatorData({
      rpId: RP_ID,
      flags: FLAGS.UP | FLAGS.AT,
      signCount: 1,
      attested: { credentialId: Buffer.alloc(16, 1), publicKey: Buffer.from(encodeCBOR([1, 2])) },
    });
    expect(codeOf(() => parseAuthenticatorData(notMap))).toBe(60379);
  });

  it('never reads past a byte string that claims more than there is (pooled Buffers hold other bytes)', () => {
    // A COSE key whose last byte string claims 32 bytes but the data ends after 1: inside a larger Buffer
    // the decoder must not take the following bytes.
    const truncatedKey = key.subarray(0, key.length - 31);
    const data = authenticatorData({
      rpId: RP_ID,
      flags: FLAGS.UP | FLAGS.AT,
      signCount: 1,
      attested: { credentialId: Buffer.alloc(16, 1), publicKey: truncatedKey },
    });
    const pooled = Buffer.concat([data, Buffer.alloc(64, 0xaa)]).subarray(0, data.length);
    expect(codeOf(() => parseAuthenticatorData(pooled))).toBe(60379);
  });
});

describe('Attestation object, client data and encodings', () => {
  const authData = authenticatorData({ rpId: RP_ID, flags: FLAGS.UP, signCount: 0 });

  it('refuses CBOR garbage, non-maps, missing members and trailing bytes', () => {
    const encode = (value: CBORType) => Buffer.from(encodeCBOR(value)).toString('base64url');
    const object = attestationObject('none', authData);
    expect(parseAttestationObject(object.toString('base64url')).fmt).toBe('none');
    for (const bad of [
      Buffer.from([0xff, 0x00]).toString('base64url'),
      encode([1, 2]),
      encode(
        new Map<string, CBORType>([
          ['attStmt', new Map()],
          ['authData', new Uint8Array(authData)],
        ]),
      ),
      encode(
        new Map<string, CBORType>([
          ['fmt', 'none'],
          ['authData', new Uint8Array(authData)],
        ]),
      ),
      encode(
        new Map<string, CBORType>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', 'text'],
        ]),
      ),
      Buffer.concat([object, Buffer.from([0])]).toString('base64url'),
      'not base64!',
      undefined,
    ]) {
      expect(codeOf(() => parseAttestationObject(bad))).toBe(60386);
    }
  });

  it('refuses client data that is not a JSON object with type, challenge and origin', () => {
    const encode = (text: string) => Buffer.from(text).toString('base64url');
    for (const bad of [
      encode('not json'),
      encode('[]'),
      encode('{"type":"webauthn.get","challenge":"x"}'),
      encode('{"type":"webauthn.get","challenge":"x","origin":"o","crossOrigin":"no"}'),
      encode('{"type":"webauthn.get","challenge":"x","origin":"o","topOrigin":1}'),
      encode(`{"type":"${'a'.repeat(5000)}","challenge":"x","origin":"o"}`),
      '',
      42,
    ]) {
      expect(codeOf(() => parseClientData(bad))).toBe(60380);
    }
    const withBom = parseClientData(encode('\uFEFF{"type":"t","challenge":"c","origin":"o"}'));
    expect(withBom).toMatchObject({ type: 't', challenge: 'c', origin: 'o', crossOrigin: false });
  });

  it('decodes base64url strictly (Node’s decoder skips bad characters) and reads hex credential IDs', () => {
    expect(decodeBase64url('a!b@c')).toBeUndefined();
    expect(decodeBase64url('abcde')).toBeUndefined();
    expect(decodeBase64url('AQID')).toEqual(Buffer.from([1, 2, 3]));
    expect(decodeBase64url('AQ+/')).toEqual(Buffer.from([1, 15, 191]));
    expect(decodeBase64url('AQI=')).toEqual(Buffer.from([1, 2]));
    expect(credentialIdCandidates('0a0b')).toContainEqual(Buffer.from([10, 11]));
    expect(credentialIdCandidates('')).toEqual([]);
    expect(credentialIdCandidates(7)).toEqual([]);
  });
});

describe('Parsers never throw anything but a DomainError (property-based)', () => {
  const onlyDomainErrors = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  };

  it('authenticator data: any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) =>
        onlyDomainErrors(() => parseAuthenticatorData(Buffer.from(bytes))),
      ),
      { numRuns: 500 },
    );
  });

  it('authenticator data: a valid header with AT and any attested bytes after it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 255 }), (tail, flags) => {
        const header = authenticatorData({ rpId: RP_ID, flags: flags | FLAGS.AT, signCount: 1 });
        onlyDomainErrors(() => parseAuthenticatorData(Buffer.concat([header, Buffer.from(tail)])));
      }),
      { numRuns: 500 },
    );
  });

  it('attestation objects, client data and COSE keys: any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64url');
        onlyDomainErrors(() => parseAttestationObject(text));
        onlyDomainErrors(() => parseClientData(text));
        onlyDomainErrors(() => parseCoseKey(Buffer.from(bytes)));
      }),
      { numRuns: 500 },
    );
  });

  it('registration and assertion: any strings in every field', () => {
    const { stored } = registered();
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (clientData, a, b, c) => {
        onlyDomainErrors(() =>
          verifyRegistration(
            { id: a, rawId: b, clientData: parseClientData(clientData), attestationObject: c },
            { ...expected(), algorithms: ALL },
          ),
        );
        onlyDomainErrors(() =>
          verifyAssertion(
            { clientData: parseClientData(clientData), authenticatorData: a, signature: b },
            stored,
            expected(),
          ),
        );
      }),
      { numRuns: 300 },
    );
  });
});
