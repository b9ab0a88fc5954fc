import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../shared/domain/errors';
import {
  credentialIdCandidates,
  parseAttestationObject,
  parseAuthenticatorData,
  parseClientData,
  parseCoseKey,
  type ClientData,
} from '../../../shared/domain/webauthn/parse';
import {
  checkClientData,
  checkCredentialIds,
  verifyAssertion,
  verifyRegistration,
  type Expectations,
  type UserVerification,
} from '../../../shared/domain/webauthn/verify';
import {
  attestationObject,
  authenticatorData,
  clientDataJSON,
  coseKey,
  FLAGS,
  SoftwareAuthenticator,
  type Algorithm,
} from '../../support/webauthn';

/**
 * The edges of the WebAuthn verifier: each limit on both sides, each condition of a compound check on its
 * own, and the exact error (Twilio code, message, parameter) every refusal answers with, since the API
 * returns that message and names that parameter to the client.
 */

const ORIGIN = 'https://app.example.com';
const RP_ID = 'example.com';
const CHALLENGE = Buffer.from('edges-challenge-0123456789').toString('base64url');
const ALL = [-7, -8, -257];
const expected = (userVerification: UserVerification = 'preferred'): Expectations => ({
  challenge: CHALLENGE,
  origins: [ORIGIN],
  rpId: RP_ID,
  userVerification,
});
const creation = { challenge: CHALLENGE, rp: { id: RP_ID }, user: { id: 'WUUx' } };
const request = { challenge: CHALLENGE, rpId: RP_ID };
const b64u = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

/** The DomainError `run` throws, as the API answers it: code, message and parameter. */
function failure(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) {
      return { code: error.detail.code, message: error.message, parameter: error.detail.parameter };
    }
    throw error;
  }
  throw new Error('expected a failure');
}

type RegistrationBody = ReturnType<SoftwareAuthenticator['register']>;
const register = (body: RegistrationBody, uv: UserVerification = 'preferred', algorithms = ALL) =>
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

function registered(flags = FLAGS.UP | FLAGS.UV) {
  const authenticator = new SoftwareAuthenticator(ORIGIN, 'ES256', { flags });
  const credential = register(authenticator.register(creation));
  const stored = {
    publicKey: credential.publicKey,
    signCount: credential.signCount,
    backupEligible: credential.backupEligible,
  };
  type AssertionBody = ReturnType<SoftwareAuthenticator['assert']>;
  const assertWith = (
    body: AssertionBody,
    store = stored,
    response: Partial<AssertionBody['response']> = {},
  ) =>
    verifyAssertion(
      {
        clientData: parseClientData(body.response.clientDataJSON),
        authenticatorData: { ...body.response, ...response }.authenticatorData,
        signature: { ...body.response, ...response }.signature,
      },
      store,
      expected(),
    );
  return { authenticator, stored, assertWith };
}

const clientDataError = (why: string) => ({
  code: 60380,
  message: `response.clientDataJSON ${why}`,
  parameter: 'response.clientDataJSON',
});
const authDataError = (why: string) => ({
  code: 60379,
  message: `Authenticator data ${why}`,
  parameter: 'authenticatorData',
});
const attestationObjectError = (why: string) => ({
  code: 60386,
  message: `response.attestationObject ${why}`,
  parameter: 'response.attestationObject',
});
const attestationError = (why: string) => ({
  code: 60386,
  message: `Attestation ${why}`,
  parameter: 'response.attestationObject',
});
const publicKeyError = (why: string) => ({
  code: 60385,
  message: `Credential public key ${why}`,
  parameter: 'publicKey',
});

describe('Client data JSON (W3C §7.1 steps 5–6)', () => {
  const encode = (text: string) => b64u(text);
  const json = (data: Record<string, unknown>) => encode(JSON.stringify(data));
  const valid = { type: 'webauthn.get', challenge: 'c', origin: 'o' };

  it('refuses a missing, non-base64url or empty value as such', () => {
    for (const bad of [undefined, '', 'A=', 'a!b', 7]) {
      expect(failure(() => parseClientData(bad))).toEqual(clientDataError('is missing or not base64url'));
    }
  });

  it('takes up to 4096 bytes and refuses one more', () => {
    const padded = (length: number) => {
      const text = JSON.stringify({ ...valid, pad: '' });
      return JSON.stringify({ ...valid, pad: 'x'.repeat(length - text.length) });
    };
    expect(padded(4096)).toHaveLength(4096);
    expect(parseClientData(encode(padded(4096))).raw).toHaveLength(4096);
    expect(failure(() => parseClientData(encode(padded(4097))))).toEqual(
      clientDataError('is longer than 4096 bytes'),
    );
  });

  it('refuses text that is not JSON, and JSON that is not an object', () => {
    expect(failure(() => parseClientData(encode('{"type":')))).toEqual(clientDataError('is not JSON'));
    for (const text of ['42', 'null', '"text"', 'true', '[]', '[{"type":"t"}]']) {
      expect(
        failure(() => parseClientData(encode(text))),
        text,
      ).toEqual(clientDataError('is not a JSON object'));
    }
  });

  it('refuses a type, challenge or origin that is missing or not a string, each on its own', () => {
    for (const member of ['type', 'challenge', 'origin'] as const) {
      for (const value of [undefined, 1, null]) {
        expect(
          failure(() => parseClientData(json({ ...valid, [member]: value }))),
          member,
        ).toEqual(clientDataError('lacks its type, challenge or origin'));
      }
    }
  });

  it('refuses a crossOrigin that is not a boolean and a topOrigin that is not a string', () => {
    expect(failure(() => parseClientData(json({ ...valid, crossOrigin: 'false' })))).toEqual(
      clientDataError('crossOrigin is not a boolean'),
    );
    expect(failure(() => parseClientData(json({ ...valid, topOrigin: 1 })))).toEqual(
      clientDataError('topOrigin is not a string'),
    );
  });

  it('returns crossOrigin and topOrigin as sent, and no topOrigin member when none was sent', () => {
    const raw = clientDataJSON({ ...valid, crossOrigin: true, topOrigin: ORIGIN });
    expect(parseClientData(b64u(raw))).toStrictEqual({ ...valid, crossOrigin: true, topOrigin: ORIGIN, raw });
    const plain = parseClientData(json(valid));
    expect(plain.crossOrigin).toBe(false);
    expect(Object.keys(plain)).toEqual(['type', 'challenge', 'origin', 'crossOrigin', 'raw']);
  });

  it('strips only a leading BOM, never one inside the JSON', () => {
    const inner = parseClientData(encode('{"type":"t\uFEFF","challenge":"c","origin":"o"}'));
    expect(inner.type).toBe('t\uFEFF');
    const both = parseClientData(encode('\uFEFF{"type":"t\uFEFF","challenge":"c","origin":"o"}'));
    expect(both.type).toBe('t\uFEFF');
  });
});

describe('Authenticator data (W3C §6.1): each limit and its message', () => {
  const key = coseKey(new SoftwareAuthenticator(ORIGIN).keys.publicKey, 'ES256');
  const withId = (credentialId: Buffer, publicKey = key, flags = FLAGS.UP | FLAGS.AT) =>
    authenticatorData({ rpId: RP_ID, flags, signCount: 3, attested: { credentialId, publicKey } });
  const full = withId(Buffer.alloc(16, 1));

  it('takes the 37-byte header alone when AT and ED are clear, and refuses less', () => {
    const header = authenticatorData({ rpId: RP_ID, flags: FLAGS.UP | FLAGS.UV, signCount: 258 });
    const data = parseAuthenticatorData(header);
    expect(data).toMatchObject({ flags: FLAGS.UP | FLAGS.UV, signCount: 258 });
    expect('attested' in data).toBe(false);
    expect(failure(() => parseAuthenticatorData(header.subarray(0, 36)))).toEqual(
      authDataError('is 36 bytes, shorter than 37'),
    );
    expect(failure(() => parseAuthenticatorData(Buffer.alloc(0)))).toEqual(
      authDataError('is 0 bytes, shorter than 37'),
    );
  });

  it('refuses data that ends inside the attested header, or right after it', () => {
    expect(failure(() => parseAuthenticatorData(full.subarray(0, 54)))).toEqual(
      authDataError('ends inside its attested credential data'),
    );
    // 55 bytes: the whole attested header (aaguid and length), then nothing of the 16-byte ID.
    expect(failure(() => parseAuthenticatorData(full.subarray(0, 55)))).toEqual(
      authDataError('ends inside its credential ID'),
    );
  });

  it('refuses data that ends right after the credential ID, before any key', () => {
    expect(failure(() => parseAuthenticatorData(withId(Buffer.alloc(16, 1), Buffer.alloc(0))))).toEqual(
      authDataError('ends inside its credential ID'),
    );
  });

  it('refuses a credential ID of 0 bytes even when a well-formed key follows', () => {
    expect(failure(() => parseAuthenticatorData(withId(Buffer.alloc(0))))).toEqual(
      authDataError('has a credential ID of 0 bytes'),
    );
  });

  it('takes a credential ID of 1 and of 1023 bytes, and refuses 1024', () => {
    expect(parseAuthenticatorData(withId(Buffer.alloc(1, 9))).attested?.credentialId).toEqual(
      Buffer.alloc(1, 9),
    );
    const longest = parseAuthenticatorData(withId(Buffer.alloc(1023, 2)));
    expect(longest.attested?.credentialId).toEqual(Buffer.alloc(1023, 2));
    expect(longest.attested?.publicKey).toEqual(key);
    expect(failure(() => parseAuthenticatorData(withId(Buffer.alloc(1024, 2))))).toEqual(
      authDataError('has a credential ID of 1024 bytes'),
    );
    const claimsMore = Buffer.from(full);
    claimsMore.writeUInt16BE(0xffff, 53);
    expect(failure(() => parseAuthenticatorData(claimsMore))).toEqual(
      authDataError('has a credential ID of 65535 bytes'),
    );
  });

  it('refuses a key that is not a CBOR map, or claims more bytes than there are', () => {
    expect(failure(() => parseAuthenticatorData(withId(Buffer.alloc(16), Buffer.from([0x01]))))).toEqual(
      authDataError('has no COSE public key'),
    );
    const truncatedKey = key.subarray(0, key.length - 31);
    expect(failure(() => parseAuthenticatorData(withId(Buffer.alloc(16), truncatedKey)))).toEqual(
      authDataError('has no COSE public key'),
    );
  });

  it('refuses ED without an extensions map after the key, or after the header', () => {
    const ed = withId(Buffer.alloc(16), key, FLAGS.UP | FLAGS.AT | FLAGS.ED);
    expect(failure(() => parseAuthenticatorData(ed))).toEqual(authDataError('has no extensions map'));
    const array = Buffer.concat([ed, Buffer.from(encodeCBOR([1]))]);
    expect(failure(() => parseAuthenticatorData(array))).toEqual(authDataError('has no extensions map'));
    const header = authenticatorData({ rpId: RP_ID, flags: FLAGS.UP | FLAGS.ED, signCount: 0 });
    expect(failure(() => parseAuthenticatorData(header))).toEqual(authDataError('has no extensions map'));
    const extensions = Buffer.from(encodeCBOR(new Map([['credProps', true]])));
    expect(parseAuthenticatorData(Buffer.concat([header, extensions])).raw).toHaveLength(
      37 + extensions.length,
    );
  });

  it('counts the unexpected trailing bytes', () => {
    expect(failure(() => parseAuthenticatorData(Buffer.concat([full, Buffer.alloc(1)])))).toEqual(
      authDataError('has 1 unexpected trailing bytes'),
    );
    const header = authenticatorData({ rpId: RP_ID, flags: FLAGS.UP, signCount: 0 });
    expect(failure(() => parseAuthenticatorData(Buffer.concat([header, Buffer.alloc(3)])))).toEqual(
      authDataError('has 3 unexpected trailing bytes'),
    );
  });
});

describe('Attestation object: each refusal and the size limit', () => {
  const authData = authenticatorData({ rpId: RP_ID, flags: FLAGS.UP, signCount: 0 });
  const encode = (value: CBORType) => b64u(encodeCBOR(value));
  const members = (entries: [string, CBORType][]) => encode(new Map<string, CBORType>(entries));

  it('refuses a missing or non-base64url value as such', () => {
    for (const bad of [undefined, '', 'not base64!']) {
      expect(failure(() => parseAttestationObject(bad))).toEqual(
        attestationObjectError('is missing or not base64url'),
      );
    }
  });

  it('takes 16384 bytes and refuses one more', () => {
    // The CBOR around authData (fmt, attStmt, the byte string's 3-byte header) is the same for these sizes.
    const overhead = attestationObject('none', Buffer.alloc(1000)).length - 1000;
    const sized = (length: number) => attestationObject('none', Buffer.alloc(length - overhead, 7));
    expect(sized(16384)).toHaveLength(16384);
    expect(parseAttestationObject(b64u(sized(16384))).authData).toEqual(Buffer.alloc(16384 - overhead, 7));
    expect(sized(16385)).toHaveLength(16385);
    expect(failure(() => parseAttestationObject(b64u(sized(16385))))).toEqual(
      attestationObjectError('is longer than 16384 bytes'),
    );
  });

  it('names what is wrong', () => {
    expect(failure(() => parseAttestationObject(b64u(Buffer.from([0xff, 0x00]))))).toEqual(
      attestationObjectError('is not a CBOR map'),
    );
    expect(failure(() => parseAttestationObject(encode([1, 2])))).toEqual(
      attestationObjectError('is not a CBOR map'),
    );
    const object = attestationObject('none', authData);
    expect(failure(() => parseAttestationObject(b64u(Buffer.concat([object, Buffer.alloc(1)]))))).toEqual(
      attestationObjectError('has trailing bytes'),
    );
    expect(
      failure(() =>
        parseAttestationObject(
          members([
            ['fmt', 1],
            ['attStmt', new Map()],
            ['authData', new Uint8Array(authData)],
          ]),
        ),
      ),
    ).toEqual(attestationObjectError('has no fmt'));
    expect(
      failure(() =>
        parseAttestationObject(
          members([
            ['fmt', 'none'],
            ['attStmt', []],
            ['authData', new Uint8Array(authData)],
          ]),
        ),
      ),
    ).toEqual(attestationObjectError('has no attStmt map'));
    expect(
      failure(() =>
        parseAttestationObject(
          members([
            ['fmt', 'none'],
            ['attStmt', new Map()],
          ]),
        ),
      ),
    ).toEqual(attestationObjectError('has no authData'));
  });
});

describe('COSE keys: only the three supported combinations, each member checked', () => {
  const ec = new SoftwareAuthenticator(ORIGIN, 'ES256').keys.publicKey;
  const ed = new SoftwareAuthenticator(ORIGIN, 'EdDSA').keys.publicKey;
  const rsa = new SoftwareAuthenticator(ORIGIN, 'RS256').keys.publicKey;
  const unsupported = (kty: number, alg: number) =>
    publicKeyError(`has an unsupported key type or algorithm (kty ${kty}, alg ${alg})`);

  it.each<[string, Algorithm, typeof ec, [number, CBORType][], ReturnType<typeof unsupported>]>([
    ['an EC2 P-256 key labelled EdDSA', 'ES256', ec, [[3, -8]], unsupported(2, -8)],
    ['an EC2 P-256 key labelled ES512', 'ES256', ec, [[3, -36]], unsupported(2, -36)],
    ['an Ed25519 key labelled ES256', 'EdDSA', ed, [[3, -7]], unsupported(1, -7)],
    ['an Ed25519 key labelled RS256', 'EdDSA', ed, [[3, -257]], unsupported(1, -257)],
    ['an EdDSA key of key type EC2', 'EdDSA', ed, [[1, 2]], unsupported(2, -8)],
    ['an OKP key on Ed448', 'EdDSA', ed, [[-1, 7]], unsupported(1, -8)],
    ['an RSA key labelled ES256', 'RS256', rsa, [[3, -7]], unsupported(3, -7)],
    ['an RS256 key of key type EC2', 'RS256', rsa, [[1, 2]], unsupported(2, -257)],
    ['an RS256 key of key type OKP', 'RS256', rsa, [[1, 1]], unsupported(1, -257)],
  ])('refuses %s', (_what, alg, publicKey, overrides, error) => {
    expect(failure(() => parseCoseKey(coseKey(publicKey, alg, new Map(overrides))))).toEqual(error);
  });

  it('reads each supported key with its algorithm', () => {
    expect(parseCoseKey(coseKey(ec, 'ES256')).key.asymmetricKeyType).toBe('ec');
    expect(parseCoseKey(coseKey(ed, 'EdDSA'))).toMatchObject({ alg: -8 });
    expect(parseCoseKey(coseKey(ed, 'EdDSA')).key.asymmetricKeyType).toBe('ed25519');
    expect(parseCoseKey(coseKey(rsa, 'RS256'))).toMatchObject({ alg: -257 });
    expect(parseCoseKey(coseKey(rsa, 'RS256')).key.asymmetricKeyType).toBe('rsa');
  });

  it('refuses a key with trailing bytes, or that is not a map', () => {
    const key = coseKey(ec, 'ES256');
    expect(failure(() => parseCoseKey(Buffer.concat([key, Buffer.alloc(1)])))).toEqual(
      publicKeyError('is not a COSE key'),
    );
    expect(failure(() => parseCoseKey(Buffer.from(encodeCBOR([1]))))).toEqual(
      publicKeyError('is not a COSE key'),
    );
  });

  it('refuses a coordinate of the wrong size or missing, before asking Node', () => {
    const tamper = (alg: Algorithm, publicKey: typeof ec, label: number, value: CBORType) =>
      failure(() => parseCoseKey(coseKey(publicKey, alg, new Map([[label, value]]))));
    const wrongSize = (label: number) => publicKeyError(`parameter ${label} is missing or of the wrong size`);
    expect(tamper('ES256', ec, -2, new Uint8Array(31))).toEqual(wrongSize(-2));
    expect(tamper('ES256', ec, -2, new Uint8Array(33))).toEqual(wrongSize(-2));
    expect(tamper('ES256', ec, -3, undefined)).toEqual(wrongSize(-3));
    expect(tamper('EdDSA', ed, -2, new Uint8Array(31))).toEqual(wrongSize(-2));
    expect(tamper('RS256', rsa, -1, 'n')).toEqual(wrongSize(-1));
    expect(tamper('RS256', rsa, -2, undefined)).toEqual(wrongSize(-2));
  });

  it('refuses a point off the curve as not a valid key', () => {
    const offCurve = coseKey(
      ec,
      'ES256',
      new Map([
        [-2, new Uint8Array(32)],
        [-3, new Uint8Array(32)],
      ]),
    );
    expect(failure(() => parseCoseKey(offCurve))).toEqual(publicKeyError('is not a valid key'));
  });
});

describe('Credential ID candidates (base64url, base64 or hex)', () => {
  it('reads nothing from what is not text, or is empty', () => {
    expect(credentialIdCandidates(1234)).toEqual([]);
    expect(credentialIdCandidates(null)).toEqual([]);
    expect(credentialIdCandidates('')).toEqual([]);
    expect(credentialIdCandidates('A=')).toEqual([]);
    expect(credentialIdCandidates('a!b')).toEqual([]);
  });

  it('adds the hex reading only for text made of whole hex pairs', () => {
    expect(credentialIdCandidates('AQID')).toEqual([Buffer.from([1, 2, 3])]);
    expect(credentialIdCandidates('0a0b')).toEqual([Buffer.from('0a0b', 'base64url'), Buffer.from([10, 11])]);
    expect(credentialIdCandidates('0a0')).toEqual([Buffer.from('0a0', 'base64url')]);
    expect(credentialIdCandidates('zz0a0b')).toEqual([Buffer.from('zz0a0b', 'base64url')]);
    expect(credentialIdCandidates('0a0bzz')).toEqual([Buffer.from('0a0bzz', 'base64url')]);
    expect(credentialIdCandidates('0a0b!')).toEqual([]);
  });
});

describe('Relying-party checks (W3C §7.1, §7.2): exact refusals', () => {
  const clientData = (data: Partial<ClientData>): ClientData => ({
    type: 'webauthn.create',
    challenge: CHALLENGE,
    origin: ORIGIN,
    crossOrigin: false,
    raw: Buffer.alloc(0),
    ...data,
  });
  const check = (data: Partial<ClientData>) => () =>
    checkClientData(clientData(data), 'webauthn.create', expected());

  it('says which client data member is wrong', () => {
    expect(check({})).not.toThrow();
    expect(failure(check({ type: 'webauthn.get' }))).toEqual(
      clientDataError('type is "webauthn.get", not webauthn.create'),
    );
    expect(failure(check({ challenge: 'WUZ4' }))).toEqual(clientDataError('challenge is not the one issued'));
    expect(failure(check({ origin: 'https://evil.example' }))).toEqual(
      clientDataError('origin "https://evil.example" is not an allowed origin of the relying party'),
    );
    expect(failure(check({ crossOrigin: true }))).toEqual(clientDataError('comes from a cross-origin frame'));
    expect(failure(check({ topOrigin: ORIGIN }))).toEqual(clientDataError('comes from a cross-origin frame'));
  });

  it('says which authenticator data check fails', () => {
    const a = () => new SoftwareAuthenticator(ORIGIN);
    expect(failure(() => register(a().register(creation, { rpId: 'evil.example' })))).toEqual(
      authDataError('is not for the relying party example.com'),
    );
    expect(failure(() => register(a().register(creation, { flags: FLAGS.UV | FLAGS.AT })))).toEqual(
      authDataError('does not show the user present (UP)'),
    );
    expect(
      failure(() => register(a().register(creation, { flags: FLAGS.UP | FLAGS.AT }), 'required')),
    ).toEqual(authDataError('does not show the user verified (UV), which the relying party requires'));
    expect(
      failure(() => register(a().register(creation, { flags: FLAGS.UP | FLAGS.BS | FLAGS.AT }))),
    ).toEqual(authDataError('has BS set without BE'));
  });

  it('takes a credential without type, id or rawId, and refuses a wrong one with its parameter', () => {
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const body = authenticator.register(creation);
    const input = {
      clientData: parseClientData(body.response.clientDataJSON),
      attestationObject: body.response.attestationObject,
    };
    expect(verifyRegistration(input, { ...expected(), algorithms: ALL }).credentialId).toBe(authenticator.id);
    expect(
      failure(() =>
        verifyRegistration({ ...input, type: 'private-key' }, { ...expected(), algorithms: ALL }),
      ),
    ).toEqual({ code: 60378, message: 'type must be public-key', parameter: 'type' });
    const id = authenticator.credentialId;
    expect(() => checkCredentialIds(undefined, undefined, id)).not.toThrow();
    expect(() => checkCredentialIds(b64u(id), id.toString('hex'), id)).not.toThrow();
    for (const bad of ['a!b', b64u('other'), 7]) {
      expect(failure(() => checkCredentialIds(bad, undefined, id))).toEqual({
        code: 60375,
        message: 'id is not the base64url of the credential ID',
        parameter: 'id',
      });
    }
    for (const bad of ['a!b', b64u('other'), 7]) {
      expect(failure(() => checkCredentialIds(undefined, bad, id))).toEqual({
        code: 60376,
        message: 'rawId is not the credential ID',
        parameter: 'rawId',
      });
    }
  });

  it('refuses authenticator data without attested credential data (AT clear)', () => {
    const clientData = clientDataJSON({ type: 'webauthn.create', challenge: CHALLENGE, origin: ORIGIN });
    const authData = authenticatorData({ rpId: RP_ID, flags: FLAGS.UP | FLAGS.UV, signCount: 0 });
    const run = () =>
      verifyRegistration(
        {
          clientData: parseClientData(b64u(clientData)),
          attestationObject: b64u(attestationObject('none', authData)),
        },
        { ...expected(), algorithms: ALL },
      );
    expect(failure(run)).toEqual({
      code: 60387,
      message: 'Authenticator data has no attested credential data (AT)',
      parameter: 'response.attestationObject',
    });
  });

  it('names the algorithm that was not offered', () => {
    expect(
      failure(() => register(new SoftwareAuthenticator(ORIGIN).register(creation), 'preferred', [-8])),
    ).toEqual({ code: 60385, message: 'Credential algorithm -7 was not offered', parameter: 'publicKey' });
  });

  it('returns the UV, BE and BS flags of a registration', () => {
    const plain = register(
      new SoftwareAuthenticator(ORIGIN, 'ES256', { flags: FLAGS.UP }).register(creation),
    );
    expect(plain).toMatchObject({ userVerified: false, backupEligible: false, backupState: false });
    const synced = register(
      new SoftwareAuthenticator(ORIGIN, 'ES256', { flags: FLAGS.UP | FLAGS.BE | FLAGS.BS }).register(
        creation,
      ),
    );
    expect(synced).toMatchObject({ userVerified: false, backupEligible: true, backupState: true });
    const eligible = register(
      new SoftwareAuthenticator(ORIGIN, 'ES256', { flags: FLAGS.UP | FLAGS.UV | FLAGS.BE }).register(
        creation,
      ),
    );
    expect(eligible).toMatchObject({ userVerified: true, backupEligible: true, backupState: false });
  });
});

describe('Attestation statements: exact refusals', () => {
  const a = () => new SoftwareAuthenticator(ORIGIN);
  const packed = (entries: [string, CBORType][]) =>
    register(a().register(creation, { fmt: 'packed', attStmt: new Map<string, CBORType>(entries) }));

  it('says what is wrong with the statement', () => {
    expect(failure(() => register(a().register(creation, { attStmt: new Map([['alg', -7]]) })))).toEqual(
      attestationError('format none must have an empty statement'),
    );
    expect(failure(() => register(a().register(creation, { fmt: 'tpm' })))).toEqual(
      attestationError('format "tpm" is not supported'),
    );
    expect(
      failure(() =>
        packed([
          ['alg', -7],
          ['sig', new Uint8Array(8)],
          ['x5c', []],
        ]),
      ),
    ).toEqual(attestationError('with a certificate chain (packed full attestation) is not supported'));
    expect(
      failure(() =>
        packed([
          ['alg', -257],
          ['sig', new Uint8Array(8)],
        ]),
      ),
    ).toEqual(attestationError('alg is not the credential key algorithm'));
    expect(
      failure(() =>
        packed([
          ['alg', -7],
          ['sig', 'text'],
        ]),
      ),
    ).toEqual(attestationError('has no sig'));
    expect(
      failure(() =>
        packed([
          ['alg', -7],
          ['sig', new Uint8Array(70)],
        ]),
      ),
    ).toEqual(attestationError('signature does not verify'));
  });
});

describe('Assertions: exact refusals, flags and counters', () => {
  it('names the missing authenticator data or signature', () => {
    const { authenticator, assertWith } = registered();
    const body = authenticator.assert(request);
    expect(failure(() => assertWith(body, undefined, { authenticatorData: '' }))).toEqual({
      code: 60379,
      message: 'response.authenticatorData is missing or not base64url',
      parameter: 'response.authenticatorData',
    });
    expect(failure(() => assertWith(body, undefined, { signature: 'a!b' }))).toEqual({
      code: 60381,
      message: 'response.signature is missing or not base64url',
      parameter: 'response.signature',
    });
  });

  it('says the backup eligibility changed, and that the signature does not verify', () => {
    const { authenticator, assertWith } = registered();
    expect(failure(() => assertWith(authenticator.assert(request, { flags: FLAGS.UP | FLAGS.BE })))).toEqual(
      authDataError('changed the credential’s backup eligibility (BE)'),
    );
    expect(failure(() => assertWith(authenticator.assert(request, { badSignature: true })))).toEqual({
      code: 60381,
      message: 'Signature does not verify',
      parameter: 'response.signature',
    });
  });

  it('reports the user not verified when UV is clear', () => {
    const { authenticator, assertWith } = registered();
    expect(assertWith(authenticator.assert(request, { flags: FLAGS.UP }))).toEqual({
      outcome: 'verified',
      signCount: 2,
      userVerified: false,
      backupState: false,
    });
  });

  it('reports a count of 0 after a stored count above 0 as regressed', () => {
    const { authenticator, stored, assertWith } = registered();
    expect(assertWith(authenticator.assert(request, { signCount: 0 }), { ...stored, signCount: 5 })).toEqual({
      outcome: 'counter-regressed',
      signCount: 0,
      storedSignCount: 5,
    });
    expect(
      assertWith(authenticator.assert(request, { signCount: 1 }), { ...stored, signCount: 0 }).outcome,
    ).toBe('verified');
  });
});
