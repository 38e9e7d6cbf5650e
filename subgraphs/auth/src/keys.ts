import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';
import type { TrustedIssuer } from '@clinicult/kit';
import type { AuthDb } from './db.js';

interface LoadedKey {
  kid: string;
  createdAt: Date;
  publicJwk: JWK;
  privateKey: CryptoKey;
}

/**
 * Ed25519 signing keys in auth's database. The newest unretired key signs; retired keys stay in the
 * JWKS until every token they signed has expired, so rotation never logs anyone out.
 */
export class KeyStore {
  private keys: LoadedKey[] = [];
  private published: JWK[] = [];

  constructor(
    private readonly db: AuthDb,
    private readonly tokenTtlSeconds: number,
  ) {}

  /** Loads the keys, creating the first one or rotating when the signer is older than `rotateAfterDays`. */
  async init(rotateAfterDays: number): Promise<void> {
    await this.reload();
    const signer = this.keys[0];
    if (!signer || Date.now() - signer.createdAt.getTime() > rotateAfterDays * 86_400_000) await this.rotate();
  }

  private refreshTimer: NodeJS.Timeout | null = null;

  /**
   * Every instance reloads the keys periodically (so a key rotated by another auth instance, or by
   * `rotate-keys`, is published everywhere) and rotates when the signer is due.
   */
  startRefresh(intervalMs: number, rotateAfterDays: number, onError: (error: unknown) => void): void {
    this.refreshTimer = setInterval(() => {
      this.init(rotateAfterDays).catch(onError);
    }, intervalMs);
    this.refreshTimer.unref();
  }

  stopRefresh(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
  }

  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = `${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
    const privateJwk = await exportJWK(privateKey);
    const now = new Date();
    await this.db.$transaction([
      this.db.signingKey.updateMany({
        where: { retiredAt: null },
        data: { retiredAt: now, expiresAt: new Date(now.getTime() + this.tokenTtlSeconds * 1000) },
      }),
      this.db.signingKey.create({
        data: { kid, algorithm: 'EdDSA', publicJwk: JSON.stringify(publicJwk), privateJwk: JSON.stringify(privateJwk) },
      }),
    ]);
    await this.reload();
    return kid;
  }

  async reload(): Promise<void> {
    const rows = await this.db.signingKey.findMany({
      where: { OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
      orderBy: { createdAt: 'desc' },
    });
    this.keys = await Promise.all(
      rows.map(async (row) => ({
          kid: row.kid,
          createdAt: row.createdAt,
          publicJwk: JSON.parse(row.publicJwk) as JWK,
        privateKey: (await importJWK(JSON.parse(row.privateJwk) as JWK, 'EdDSA')) as CryptoKey,
      })),
    );
    // only an unretired key may sign; keep it first
    const signerKid = rows.find((r) => r.retiredAt === null)?.kid;
    this.keys.sort((a, b) => (a.kid === signerKid ? -1 : b.kid === signerKid ? 1 : 0));
    this.published = this.keys.map((k) => k.publicJwk);
  }

  signer(): { kid: string; privateKey: CryptoKey } {
    const key = this.keys[0];
    if (!key) throw new Error('no signing key loaded');
    return key;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.published };
  }

  /** auth verifies its own tokens from memory instead of fetching its own JWKS over HTTP. */
  trustedIssuer(issuer: string, audience: string): TrustedIssuer {
    return {
      issuer,
      audience,
      algorithms: ['EdDSA'],
      issuesServiceTokens: true,
      keys: (header, token) => createLocalJWKSet(this.jwks())(header, token),
    };
  }
}
