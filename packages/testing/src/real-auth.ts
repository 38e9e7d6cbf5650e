import { randomUUID } from 'node:crypto';
import type { TrustedIssuer } from '@clinicult/kit';
import { startMailCatcher } from '@clinicult/mail-catcher';

interface AuthModule {
  loadAuthConfig(env: Record<string, string>): unknown;
  startAuthService(
    config: unknown,
    overrides?: { issuers?: TrustedIssuer[] },
  ): Promise<{ url: string; stop(): Promise<void>; runtime: { metrics: { registry: { metrics(): Promise<string> } } } }>;
}

/**
 * The real auth service, in-process, for a subgraph's tests that need it (e.g. with Redis down the
 * kit confirms sessions at auth's `/internal/session-status`), with a mail catcher of its own for
 * the mail it sends (tests read invitation links there). It trusts the test's issuer too. auth is
 * loaded by path at run time (jest resolves its sources), so no package depends on it.
 */
export async function startRealAuth(options: { port?: number; issuer?: TrustedIssuer; env?: Record<string, string> }) {
  const { createTestDatabase } = await import('@clinicult/db');
  const specifier = '../../../subgraphs/auth/src/index.js';
  const { loadAuthConfig, startAuthService } = (await import(specifier)) as AuthModule;
  const database = await createTestDatabase('auth');
  const mail = await startMailCatcher();
  try {
    const service = await startAuthService(
      loadAuthConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        PORT: String(options.port ?? 0),
        DATABASE_URL: database.url,
        SMTP_URL: mail.smtpUrl,
        MAIL_RELAY_INTERVAL_MS: '100',
        RATE_LIMIT_KEY_PREFIX: `t:auth:${randomUUID()}:`,
        ...options.env,
      }),
      options.issuer ? { issuers: [options.issuer] } : {},
    );
    return {
      url: service.url,
      /** the mail auth sent (invitations, resets) */
      mail,
      /** auth's own (throwaway) database, for tests that seed logins directly */
      databaseUrl: database.url,
      /** How many session checks auth answered (its own request metrics). */
      async sessionChecks(): Promise<number> {
        const text = await service.runtime.metrics.registry.metrics();
        const line = /http_request_duration_seconds_count\{[^}]*route="\/internal\/session-status"[^}]*\} (\d+)/.exec(text);
        return Number(line?.[1] ?? 0);
      },
      async stop() {
        await service.stop();
        await mail.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await mail.stop();
    await database.drop();
    throw error;
  }
}
