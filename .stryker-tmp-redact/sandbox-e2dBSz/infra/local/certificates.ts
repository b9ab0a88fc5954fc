// @ts-nocheck
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Just enough X.509 (DER by hand, signed with node:crypto) for local TLS: a CA, a server certificate for 127.0.0.1 and
 * localhost, and client certificates. Dev/test only. No dependency: the npm options pull node-forge (selfsigned) or
 * tsyringe with a global reflect-metadata polyfill (@peculiar/x509), for what is ~100 lines here.
 */

const tlv = (tag: number, content: Buffer): Buffer => {
  const n = content.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : (() => {
          const bytes: number[] = [];
          for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
          return Buffer.from([0x80 | bytes.length, ...bytes]);
        })();
  return Buffer.concat([Buffer.from([tag]), length, content]);
};
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const integer = (bytes: Buffer) =>
  tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));
const octets = (bytes: Buffer) => tlv(0x04, bytes);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const explicit = (n: number, content: Buffer) => tlv(0xa0 | n, content);
const nullValue = Buffer.from([0x05, 0x00]);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const value of rest) {
    const chunk = [value & 0x7f];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A named-bit BIT STRING (DER: trailing zero bits dropped). */
function bits(byte: number): Buffer {
  let unused = 0;
  while (unused < 7 && !(byte & (1 << unused))) unused++;
  return tlv(0x03, Buffer.from([unused, byte]));
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`));
}

const name = (commonName: string) => seq(set(seq(oid('2.5.4.3'), utf8(commonName))));
const extension = (id: string, critical: boolean, value: Buffer) =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

function algorithm(key: KeyObject): Buffer {
  return key.asymmetricKeyType === 'ec'
    ? seq(oid('1.2.840.10045.4.3.2')) // ecdsa-with-SHA256
    : seq(oid('1.2.840.113549.1.1.11'), nullValue); // sha256WithRSAEncryption
}

export interface KeyPairPem {
  privateKey: string;
  publicKey: string;
}

export interface Issued {
  certificate: string;
  privateKey: string;
}

export interface CertificateOptions {
  commonName: string;
  /** Defaults: a new P-256 key. */
  keyType?: 'ec' | 'rsa';
  /** DNS names and IP addresses. */
  altNames?: string[];
  ca?: boolean;
  /** Self-signed when absent. */
  issuer?: { commonName: string; privateKey: string };
  days?: number;
}

function newKey(type: 'ec' | 'rsa') {
  return type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
}

export function issueCertificate(options: CertificateOptions): Issued {
  const pair = newKey(options.keyType ?? 'ec');
  const signer = options.issuer ? createPrivateKey(options.issuer.privateKey) : pair.privateKey;
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f || 1;
  const notBefore = new Date(Date.now() - 60 * 60_000);
  const notAfter = new Date(Date.now() + (options.days ?? 30) * 86_400_000);
  const extensions = [
    extension('2.5.29.19', true, options.ca ? seq(bool(true)) : seq()),
    // CA: keyCertSign + cRLSign + digitalSignature; leaf: digitalSignature (+ keyEncipherment for RSA).
    extension('2.5.29.15', true, bits(options.ca ? 0x86 : (options.keyType ?? 'ec') === 'rsa' ? 0xa0 : 0x80)),
  ];
  if (!options.ca)
    extensions.push(extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))));
  if (options.altNames?.length) {
    const names = options.altNames.map((alt) =>
      isIP(alt) === 4
        ? tlv(0x87, Buffer.from(alt.split('.').map(Number)))
        : tlv(0x82, Buffer.from(alt, 'ascii')),
    );
    extensions.push(extension('2.5.29.17', false, seq(...names)));
  }
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    algorithm(signer),
    name(options.issuer?.commonName ?? options.commonName),
    seq(time(notBefore), time(notAfter)),
    name(options.commonName),
    pair.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  // X.509 wants the DER form of ECDSA signatures (node's default), unlike JWS.
  const signature = sign('sha256', tbs, signer);
  const der = seq(tbs, algorithm(signer), tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return {
    certificate: `-----BEGIN CERTIFICATE-----\n${base64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`,
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** A CA and a server certificate it signed, for 127.0.0.1 and localhost. */
export function localServerCertificate(commonName = 'Local push provider'): {
  ca: string;
  cert: string;
  key: string;
} {
  const ca = issueCertificate({ commonName: `${commonName} CA`, ca: true, days: 3650 });
  const server = issueCertificate({
    commonName: '127.0.0.1',
    altNames: ['127.0.0.1', 'localhost'],
    issuer: { commonName: `${commonName} CA`, privateKey: ca.privateKey },
    days: 825,
  });
  return { ca: ca.certificate, cert: server.certificate, key: server.privateKey };
}
