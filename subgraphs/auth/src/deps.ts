import type { AuthConfig } from './config.js';
import type { AuthDb } from './db.js';
import type { FactsWriter } from './facts-writer.js';
import type { LoginLimits, ResetLimits } from './login-limits.js';
import type { RelyingParty } from './mfa/passkeys.js';
import type { SecretBox } from './mfa/secret-box.js';
import type { TokenIssuer } from './token-issuer.js';

/** What auth's domain functions work with (built once in service.ts). */
export interface AuthDeps {
  db: AuthDb;
  config: AuthConfig;
  issuer: TokenIssuer;
  facts: FactsWriter;
  limits: LoginLimits;
  resetLimits: ResetLimits;
  secrets: SecretBox;
  rp: RelyingParty;
  /** Wakes the mail relay after mail was enqueued (it would find it on its next round anyway). */
  mailQueued(): void;
}
