import { isAbsolute, join, relative } from 'node:path';
import type { Twilio } from 'twilio';
import type { ApprovePasskeysChallengeRequest } from 'twilio/lib/rest/verify/v2/service/approveChallenge';
import { IDENTITY_PATTERN } from '../../shared/domain/entity';
import { DemoError, fromVerify } from './errors';

/**
 * What the demo site does for its visitors, through twilio-node exactly as an integrator's backend would:
 * sign-up (an identity, then authenticators: passkey, TOTP app, push device) and sign-in with any of them.
 * Each method takes the visitor's session and the page's JSON, and returns the JSON the page gets; every
 * failure is a `DemoError` with a message for a person.
 */

export interface Session {
  id: string;
  /** The visitor's identity once signed up or signed in. */
  identity?: string;
  signedIn: boolean;
  /** The passkey registration this visitor started: its factor and WebAuthn challenge. */
  registration?: { factorSid: string; challenge: string };
  /** The WebAuthn challenge of the passkey sign-in this visitor started. */
  passkeyChallenge?: string;
  /** The push sign-in this visitor is waiting for. */
  push?: PushSignIn;
}

export interface PushSignIn {
  identity: string;
  sid: string;
  status: string;
  expirationDate: string;
}

export const IDENTITY_RULE = '8 to 64 letters or digits, in groups joined by single dashes (like alice-2026)';

type Body = Record<string, unknown>;

/** The WebAuthn response JSON of `PublicKeyCredential.toJSON()`, as the page posts it. */
interface CredentialJson {
  id: string;
  rawId: string;
  type: string;
  authenticatorAttachment: string;
  response: { clientDataJSON: string } & Record<string, unknown>;
}

export interface DemoAppOptions {
  client: Twilio;
  serviceSid: string;
  verifyUrl: string;
  /** The page's origin, shown to the device in the push challenge. */
  origin: string;
  /** Where `npm run device` keeps device states (`device-<identity>.json`). */
  dir: string;
  pushFile?: string;
  /** How long a push sign-in waits for the device (Verify allows up to 3600 s). */
  pushTtlSeconds: number;
}

const identityOf = (body: Body, what = 'identity') => {
  const identity = typeof body.identity === 'string' ? body.identity.trim() : '';
  if (!IDENTITY_PATTERN.test(identity)) {
    throw new DemoError(400, `The ${what} must be ${IDENTITY_RULE}.`);
  }
  return identity;
};

const codeOf = (body: Body) => {
  const code = typeof body.code === 'string' ? body.code.trim() : '';
  if (!/^\d{6,8}$/.test(code))
    throw new DemoError(400, 'Type the code your authenticator app shows (6 digits).');
  return code;
};

const stringIn = (value: unknown, key: string) =>
  typeof value === 'object' && value !== null && typeof (value as Body)[key] === 'string';

/** The credential the page posted, with the WebAuthn challenge its signed client data carries. */
function credentialOf(body: Body): { credential: CredentialJson; challenge: string } {
  const credential = body.credential as CredentialJson | undefined;
  if (!stringIn(credential, 'id') || !stringIn(credential?.response, 'clientDataJSON')) {
    throw new DemoError(400, 'The page sent no passkey response.');
  }
  try {
    const clientData = JSON.parse(
      Buffer.from(credential!.response.clientDataJSON, 'base64url').toString('utf8'),
    ) as { challenge?: unknown };
    if (typeof clientData.challenge !== 'string') throw new Error('no challenge');
    return { credential: credential!, challenge: clientData.challenge };
  } catch {
    throw new DemoError(400, 'The passkey response has no readable client data.');
  }
}

/** A shell word as the page shows it: quoted only when it has to be. */
const shellWord = (word: string) =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
const command = (args: string[]) => `npm run device -- ${args.map(shellWord).join(' ')}`;

/** The device state file of an identity, relative to the repository folder when it lies inside it. */
function stateArgs(dir: string, identity: string) {
  const file = join(dir, `device-${identity}.json`);
  const inside = relative(process.cwd(), file);
  return ['--state', inside.startsWith('..') || isAbsolute(inside) ? file : inside];
}

export class DemoApp {
  /** `options` stay readable and adjustable (tests shorten `pushTtlSeconds`). */
  constructor(readonly options: DemoAppOptions) {}

  private get service() {
    return this.options.client.verify.v2.services(this.options.serviceSid);
  }

  /** Runs a twilio-node call, turning its failure into a message for the page. */
  private async verify<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw fromVerify(error, this.options.verifyUrl);
    }
  }

  private user(session: Session): string {
    if (!session.signedIn || !session.identity) throw new DemoError(401, 'Sign up or sign in first.');
    return session.identity;
  }

  /** The identity's factors, newest first; none when the entity does not exist (yet). */
  private async factors(identity: string) {
    const factors = await this.verify(() =>
      this.service
        .entities(identity)
        .factors.list()
        .catch((error: { status?: number }) => {
          if (error.status === 404) return [];
          throw error;
        }),
    );
    return factors.reverse();
  }

  private async verifiedFactor(identity: string, type: 'totp' | 'push', name: string) {
    const factors = await this.factors(identity);
    if (factors.length === 0) throw new DemoError(404, `Nobody signed up as ${identity}: sign up first.`);
    const factor = factors.find((f) => f.factorType === type && f.status === 'verified');
    if (!factor)
      throw new DemoError(400, `${identity} has no ${name} yet: add one after signing in another way.`);
    return factor;
  }

  private signIn(session: Session, identity: string) {
    session.identity = identity;
    session.signedIn = true;
    session.registration = undefined;
    session.passkeyChallenge = undefined;
    session.push = undefined;
    return { identity };
  }

  /** What the page shows: who is signed in and their authenticators. */
  async state(session: Session) {
    const identity = session.signedIn ? session.identity : undefined;
    const factors = identity ? await this.factors(identity) : [];
    return {
      identity: identity ?? null,
      factors: factors.map((f) => ({
        sid: f.sid,
        type: f.factorType,
        name: f.friendlyName,
        status: f.status,
        created: f.dateCreated.toISOString(),
      })),
      push: session.push ?? null,
    };
  }

  /** A new identity: refused when someone already has an authenticator under it. */
  async signUp(session: Session, body: Body) {
    const identity = identityOf(body);
    const factors = await this.factors(identity);
    if (factors.some((f) => f.status === 'verified')) {
      throw new DemoError(409, `${identity} is taken: sign in instead, or pick another identity.`);
    }
    return this.signIn(session, identity);
  }

  signOut(session: Session) {
    session.identity = undefined;
    session.signedIn = false;
    session.registration = undefined;
    session.passkeyChallenge = undefined;
    session.push = undefined;
    return { identity: null };
  }

  /** Starts a passkey registration: Verify's creation options for `navigator.credentials.create`. */
  async passkeyOptions(session: Session) {
    const identity = this.user(session);
    const factor = await this.verify(() =>
      this.service.newFactors.create({ friendlyName: identity, identity }),
    );
    const publicKey = (factor.options as { publicKey: { challenge: string } }).publicKey;
    session.registration = { factorSid: factor.sid, challenge: publicKey.challenge };
    return { factorSid: factor.sid, publicKey };
  }

  /** Finishes it with the browser's credential: Verify checks the attestation and verifies the factor. */
  async passkeyRegister(session: Session, body: Body) {
    this.user(session);
    const { credential, challenge } = credentialOf(body);
    const registration = session.registration;
    if (!registration || registration.challenge !== challenge) {
      throw new DemoError(400, 'This passkey answers another registration: add the passkey again.');
    }
    const factor = await this.verify(() => this.service.newVerifyFactors.update(credential));
    session.registration = undefined;
    if (factor.status !== 'verified')
      throw new DemoError(400, `The passkey is ${factor.status}, not verified.`);
    return { factorSid: factor.sid, status: factor.status };
  }

  /** A TOTP factor: its `otpauth://` URI, which the page shows as a QR code. */
  async totpStart(session: Session) {
    const identity = this.user(session);
    const factor = await this.verify(() =>
      this.service.entities(identity).newFactors.create({ friendlyName: identity, factorType: 'totp' }),
    );
    return { factorSid: factor.sid, uri: (factor.binding as { uri: string }).uri };
  }

  /** Verifies the TOTP factor with the first code the app shows. */
  async totpVerify(session: Session, body: Body) {
    const identity = this.user(session);
    const code = codeOf(body);
    const factorSid = typeof body.factorSid === 'string' ? body.factorSid : '';
    if (!/^YF[0-9a-f]{32}$/.test(factorSid)) throw new DemoError(400, 'Add the authenticator app again.');
    const factor = await this.verify(() =>
      this.service.entities(identity).factors(factorSid).update({ authPayload: code }),
    );
    if (factor.status !== 'verified') {
      throw new DemoError(400, 'That code is not right. Type the code your app shows now.');
    }
    return { factorSid, status: factor.status };
  }

  /** The device commands to enroll a push factor, with a fresh enrollment token (valid 5 minutes, Verify's most). */
  async pushStart(session: Session) {
    const identity = this.user(session);
    const token = await this.verify(() =>
      this.service.accessTokens.create({ identity, factorType: 'push', ttl: 300 }),
    );
    const state = stateArgs(this.options.dir, identity);
    const pushes = this.options.pushFile ? ['--pushes', this.options.pushFile] : [];
    return {
      commands: [
        command([
          'init',
          '--url',
          this.options.verifyUrl,
          '--service',
          this.options.serviceSid,
          '--identity',
          identity,
          ...state,
        ]),
        command(['enroll', '--token', token.token, '--platform', 'fcm', '--name', 'Demo device', ...state]),
        command(['watch', ...state, ...pushes]),
      ],
    };
  }

  /** Starts a passkey sign-in: with an identity, for that user's passkeys; without, for any (usernameless). */
  async passkeySignInOptions(session: Session, body: Body) {
    const identity = body.identity ? identityOf(body) : undefined;
    const challenge = await this.verify(() =>
      this.service.newChallenge().create(identity ? { identity } : {}),
    );
    const publicKey = (challenge.options as { publicKey: { challenge: string } }).publicKey;
    session.passkeyChallenge = publicKey.challenge;
    return { challengeSid: challenge.sid, publicKey };
  }

  /** Finishes it with the browser's assertion: Verify approves the challenge and says who signed in. */
  async passkeySignIn(session: Session, body: Body) {
    const { credential, challenge } = credentialOf(body);
    if (!session.passkeyChallenge || session.passkeyChallenge !== challenge) {
      throw new DemoError(400, 'This passkey answers another sign-in: sign in again.');
    }
    const approved = await this.verify(() =>
      this.service.approveChallenge.update(credential as unknown as ApprovePasskeysChallengeRequest),
    );
    session.passkeyChallenge = undefined;
    if (approved.status !== 'approved' || !approved.identity) {
      throw new DemoError(401, `The sign-in is ${approved.status}, not approved.`);
    }
    return this.signIn(session, approved.identity);
  }

  /** Signs in with a TOTP code: a challenge created with the code approves at once, or stays pending. */
  async totpSignIn(session: Session, body: Body) {
    const identity = identityOf(body);
    const code = codeOf(body);
    const factor = await this.verifiedFactor(identity, 'totp', 'authenticator app');
    const challenge = await this.verify(() =>
      this.service.entities(identity).challenges.create({ factorSid: factor.sid, authPayload: code }),
    );
    if (challenge.status !== 'approved') {
      throw new DemoError(401, 'That code is not right. Type the code your app shows now.');
    }
    return this.signIn(session, identity);
  }

  /** Starts a push sign-in: the device gets the challenge; the page waits for its answer. */
  async pushSignIn(session: Session, body: Body) {
    const identity = identityOf(body);
    const factor = await this.verifiedFactor(identity, 'push', 'push device');
    const challenge = await this.verify(() =>
      this.service.entities(identity).challenges.create({
        factorSid: factor.sid,
        'details.message': `Sign in to ${this.options.origin}?`,
        'details.fields': [{ label: 'Site', value: this.options.origin }],
        expirationDate: new Date(Date.now() + this.options.pushTtlSeconds * 1000),
      }),
    );
    session.push = {
      identity,
      sid: challenge.sid,
      status: challenge.status,
      expirationDate: challenge.expirationDate.toISOString(),
    };
    const state = stateArgs(this.options.dir, identity);
    return { push: session.push, commands: [command(['approve', challenge.sid, ...state])] };
  }

  /**
   * The pending push sign-in's status, read from Verify (as a backend polls); approving signs the visitor
   * in. Undefined when there is nothing to wait for.
   */
  async pushStatus(session: Session): Promise<PushSignIn | undefined> {
    const push = session.push;
    if (!push || push.status !== 'pending') return undefined;
    const challenge = await this.verify(() =>
      this.service.entities(push.identity).challenges(push.sid).fetch(),
    );
    if (session.push !== push) return undefined;
    push.status = challenge.status;
    if (challenge.status === 'approved') {
      this.signIn(session, push.identity);
      session.push = push;
    }
    return push;
  }
}
