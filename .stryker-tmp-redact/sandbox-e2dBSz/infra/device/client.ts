// @ts-nocheck
import { CompactSign } from 'jose';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';

/**
 * A device that talks to the API exactly as the Verify Push SDKs do (protocol reference §3–§6): a P-256
 * key, factor creation with an enrollment token, a fresh ES256 device JWT on every other call, and
 * answers signed over the fields the server advertises in `Twilio-Verify-Signature-Fields`.
 */
export interface DeviceState {
  baseUrl: string;
  serviceSid: string;
  identity: string;
  /** PKCS#8 PEM of the device key. */
  privateKey: string;
  factorSid?: string;
  accountSid?: string;
  credentialSid?: string;
  /** Where the factor's notifications go (`none`: the device polls). */
  notificationPlatform?: 'apn' | 'fcm' | 'none';
  notificationToken?: string;
}

type Json = Record<string, unknown>;

export class DeviceError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json | undefined,
  ) {
    super(`HTTP ${status}: ${body?.message ?? 'no message'} (code ${body?.code ?? '-'})`);
  }
}

/** The app ID the device CLI registers (`Config.AppId`): the APNs topic of its notifications. */
export const DEVICE_APP_ID = 'dev.verify.device-cli';

/**
 * A notification token of the kind the platform issues: APNs a device token as 64 hex digits (as the iOS
 * SDK sends it), FCM an opaque registration token (here 152 Base64url characters).
 */
export const newNotificationToken = (platform: 'apn' | 'fcm') =>
  platform === 'apn' ? randomBytes(32).toString('hex') : randomBytes(114).toString('base64url');

export const newDeviceKey = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();

export class Device {
  private readonly key: KeyObject;

  constructor(readonly state: DeviceState) {
    this.key = createPrivateKey(state.privateKey);
  }

  /** `Binding.PublicKey`: Base64 of the DER SubjectPublicKeyInfo, as the SDKs send it. */
  get publicKey(): string {
    return createPublicKey(this.key).export({ format: 'der', type: 'spki' }).toString('base64');
  }

  private get factorPath() {
    return `/v2/Services/${this.state.serviceSid}/Entities/${this.state.identity}`;
  }

  /** `token:<JWT>` — header cty/kid/typ/alg, claims sub/exp/nbf, 10 minutes, as `AuthenticationProvider.kt`. */
  async deviceToken(now = new Date()): Promise<string> {
    const { credentialSid, accountSid } = this.state;
    if (!credentialSid || !accountSid) throw new Error('The device has no factor yet');
    const seconds = Math.floor(now.getTime() / 1000);
    return this.signJwt(
      { cty: 'twilio-pba;v=1', kid: credentialSid, typ: 'JWT', alg: 'ES256' },
      {
        sub: accountSid,
        exp: seconds + 600,
        nbf: seconds,
      },
    );
  }

  async signJwt(header: Json, payload: Json): Promise<string> {
    // CompactSign emits ES256 signatures as raw r‖s (64 bytes), as the SDKs' transcoders do.
    const signed = await new CompactSign(Buffer.from(JSON.stringify(payload)))
      .setProtectedHeader({ ...header, alg: 'ES256' })
      .sign(this.key);
    return signed;
  }

  private async request(method: string, path: string, password: string, form?: Record<string, string>) {
    const response = await fetch(`${this.state.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Basic ${Buffer.from(`token:${password}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const text = await response.text();
    const body = text ? (JSON.parse(text) as Json) : undefined;
    if (response.status >= 300) throw new DeviceError(response.status, body);
    return { body: body ?? {}, headers: response.headers };
  }

  /**
   * Creates the push factor with the enrollment token a backend obtained from `AccessTokens`; with `push`,
   * on that notification platform with that token (as an app that registered for APNs or FCM).
   */
  async createFactor(
    accessToken: string,
    friendlyName: string,
    push?: { platform: 'apn' | 'fcm'; token: string },
  ) {
    const { body } = await this.request('POST', `${this.factorPath}/Factors`, accessToken, {
      FriendlyName: friendlyName,
      FactorType: 'push',
      'Binding.PublicKey': this.publicKey,
      'Binding.Alg': 'ES256',
      'Config.SdkVersion': '0.9.0',
      'Config.AppId': DEVICE_APP_ID,
      'Config.NotificationPlatform': push?.platform ?? 'none',
      ...(push ? { 'Config.NotificationToken': push.token } : {}),
    });
    this.state.notificationPlatform = push?.platform ?? 'none';
    if (push) this.state.notificationToken = push.token;
    this.state.factorSid = body.sid as string;
    this.state.accountSid = body.account_sid as string;
    this.state.credentialSid = (body.config as Json).credential_sid as string;
    return body;
  }

  /** Verifies the factor: `AuthPayload` is the Base64 DER signature of the factor SID (§5.1). */
  async verifyFactor() {
    const sid = this.state.factorSid!;
    const signature = sign('sha256', Buffer.from(sid), { key: this.key, dsaEncoding: 'der' }).toString(
      'base64',
    );
    const { body } = await this.request(
      'POST',
      `${this.factorPath}/Factors/${sid}`,
      await this.deviceToken(),
      {
        AuthPayload: signature,
      },
    );
    return body;
  }

  async listChallenges(status?: string) {
    const query = new URLSearchParams({ FactorSid: this.state.factorSid!, PageSize: '50', Order: 'desc' });
    if (status) query.set('Status', status);
    const { body } = await this.request(
      'GET',
      `${this.factorPath}/Challenges?${query}`,
      await this.deviceToken(),
    );
    return body.challenges as Json[];
  }

  async fetchChallenge(sid: string) {
    const { body, headers } = await this.request(
      'GET',
      `${this.factorPath}/Challenges/${sid}`,
      await this.deviceToken(),
    );
    const fields = headers.get('Twilio-Verify-Signature-Fields');
    return { challenge: body, signatureFields: fields ? fields.split(',') : undefined };
  }

  /**
   * Approves or denies as `PushChallengeProcessor.kt`: fetch, copy the advertised fields from the body,
   * add `status`, sign (header `{"typ":"JWT","alg":"ES256"}`), POST, then fetch again to confirm.
   */
  async answer(sid: string, status: 'approved' | 'denied') {
    const { challenge, signatureFields } = await this.fetchChallenge(sid);
    if (challenge.factor_sid !== this.state.factorSid) throw new Error('The challenge is for another factor');
    if (challenge.status === 'expired') throw new Error('Expired challenge can not be updated');
    if (challenge.status !== 'pending') throw new Error('Responded challenge can not be updated');
    if (!signatureFields) throw new Error('Signature fields or response not set');
    const payload: Json = {};
    for (const field of signatureFields) {
      if (!(field in challenge)) throw new Error(`Signature field ${field} is not in the response`);
      payload[field] = challenge[field];
    }
    payload.status = status;
    const authPayload = await this.signJwt({ typ: 'JWT' }, payload);
    await this.request('POST', `${this.factorPath}/Challenges/${sid}`, await this.deviceToken(), {
      AuthPayload: authPayload,
    });
    const { challenge: after } = await this.fetchChallenge(sid);
    if (after.status !== status) throw new Error('Challenge was not updated');
    return after;
  }
}
