// Encryption at rest for personal data (provided details, report contents, event snapshots). AES-256-GCM
// with a random IV per value; the version prefix leaves room for key rotation.
import crypto from 'node:crypto';
import { randomBytes } from '../domain/ids.js';

export interface Sealer {
  seal(plain: string): string;
  open(sealed: string): string;
  /** Binary contents (files): version byte, IV, tag, ciphertext — no base64 growth for megabytes of image. */
  sealBytes(plain: Uint8Array): Buffer;
  openBytes(sealed: Uint8Array): Buffer;
}

export function createSealer(keyBytes: Buffer): Sealer {
  if (keyBytes.length !== 32) throw new Error('the encryption key must be 32 bytes');
  // A key object made once: given the bytes, every cipher would import the key afresh (a tenth of a seal).
  const key = crypto.createSecretKey(keyBytes);
  return {
    seal(plain) {
      const iv = randomBytes(12); // from the CSPRNG pool: a fresh, never reused IV
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return `v1.${iv.toString('base64')}.${Buffer.concat([c.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed) {
      const [v, ivB64, dataB64] = sealed.split('.');
      if (v !== 'v1' || !ivB64 || dataB64 === undefined) throw new Error('unrecognised sealed value');
      const data = Buffer.from(dataB64, 'base64');
      const d = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(ivB64, 'base64'));
      d.setAuthTag(data.subarray(0, 16));
      return Buffer.concat([d.update(data.subarray(16)), d.final()]).toString('utf8');
    },
    sealBytes(plain) {
      const iv = randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([Buffer.from([1]), iv, c.getAuthTag(), body]);
    },
    openBytes(sealed) {
      const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      if (b.length < 29 || b[0] !== 1) throw new Error('unrecognised sealed contents');
      const d = crypto.createDecipheriv('aes-256-gcm', key, b.subarray(1, 13));
      d.setAuthTag(b.subarray(13, 29));
      return Buffer.concat([d.update(b.subarray(29)), d.final()]);
    },
  };
}
