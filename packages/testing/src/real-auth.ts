import type { TrustedIssuer } from '@clinicult/kit';

interface AuthModule {
  loadAuthConfig(env: Record<string, string>): unknown;
  startAuthService(
    config: unknown,
    overrides?: { issuers?: TrustedIssuer[] },
  ): Promise<{ stop(): Promise<void>; runtime: { metrics: { registry: { metrics(): Promise<string> } } } }>;
}

/**
 * The real auth service, in-process, for a subgraph's tests that need it (e.g. with Redis down the
 * kit confirms sessions at auth's `/internal/session-status`). It trusts the test's issuer too.
 * auth is loaded by path at run time (jest resolves its sources), so no package depends on it.
 */
export async function startRealAuth(options: { port: number; issuer?: TrustedIssuer; env?: Record<string, string> }) {
  const { createTestDatabase } = await import('@clinicult/db');
  const specifier = '../../../subgraphs/auth/src/index.js';
  const { loadAuthConfig, startAuthService } = (await import(specifier)) as AuthModule;
  const database = await createTestDatabase('auth');
  try {
    const service = await startAuthService(
      loadAuthConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: String(options.port), DATABASE_URL: database.url, ...options.env }),
      options.issuer ? { issuers: [options.issuer] } : {},
    );
    return {
      url: `http://127.0.0.1:${options.port}`,
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
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
