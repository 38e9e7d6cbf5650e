import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encrypts second-factor secrets at rest (AES-256-GCM), so a copy of auth's database alone does
 * not yield working TOTP codes. The key is MFA_SECRET_KEY (32 bytes, base64); development and
 * tests use a fixed development key (production refuses to start without its own, config.ts).
 */
const DEVELOPMENT_KEY = createHash('sha256').update('clinicult-development-mfa-key').digest();

export class SecretBox {
  private readonly key: Buffer;

  constructor(base64Key: string | undefined) {
    if (!base64Key) {
      this.key = DEVELOPMENT_KEY;
      return;
    }
    const key = Buffer.from(base64Key, 'base64');
    if (key.length !== 32) throw new Error('MFA_SECRET_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32).');
    this.key = key;
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join(':');
  }

  open(boxed: string): string {
    const [version, iv, tag, sealed] = boxed.split(':');
    if (version !== 'v1' || !iv || !tag || !sealed) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
  }
}
