import { randomUUID } from 'node:crypto';
import { startMailCatcher } from '@clinicult/mail-catcher';
import { startAuthProcess, type StartOptions } from './services.js';

export type AuthUnderTest = Awaited<ReturnType<typeof startAuth>>;

/**
 * The real auth service with a mail catcher of its own for the mail it sends (tests read invitation
 * links there), trusting the test's issuer: service tokens by client credentials, session checks
 * at `/internal/session-status` while Redis is down, the logins and roles users keeps in step.
 */
export async function startAuth(options: Pick<StartOptions<never>, 'issuer' | 'port' | 'env'> = {}) {
  const mail = await startMailCatcher();
  try {
    const auth = await startAuthProcess({
      ...options,
      env: { SMTP_URL: mail.smtpUrl, MAIL_RELAY_INTERVAL_MS: '100', RATE_LIMIT_KEY_PREFIX: `t:auth:${randomUUID()}:`, ...options.env },
    });
    return {
      url: auth.url,
      /** the mail auth sent (invitations, resets) */
      mail,
      /** auth's own (throwaway) database, for tests that seed logins directly */
      databaseUrl: auth.database.url,
      /** How many session checks auth answered (its own request metrics). */
      async sessionChecks(): Promise<number> {
        const text = await auth.service.runtime.metrics.registry.metrics();
        const line = /http_request_duration_seconds_count\{[^}]*route="\/internal\/session-status"[^}]*\} (\d+)/.exec(text);
        return Number(line?.[1] ?? 0);
      },
      async stop() {
        await auth.stop();
        await mail.stop();
      },
    };
  } catch (error) {
    await mail.stop();
    throw error;
  }
}
