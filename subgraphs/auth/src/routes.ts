import express from 'express';
import { AuthError, CLIENT_ASSERTION_TYPE, type ServiceRuntime } from '@clinicult/kit';
import type { KeyStore } from './keys.js';
import { ClientAssertionError, type ServiceClients } from './service-clients.js';
import type { TokenIssuer } from './token-issuer.js';
import type { SessionStatus } from '@clinicult/kit';
import type { Caller } from '@clinicult/rbac';

export interface AuthRoutesDeps {
  keys: KeyStore;
  issuer: TokenIssuer;
  serviceClients: ServiceClients;
  sessionStatus: (caller: Exclude<Caller, { kind: 'anonymous' }>) => Promise<SessionStatus>;
  /** false until auth has applied the identity stream (identity-consumer.ts): no answer from a database that lags */
  caughtUp: () => boolean;
}

/** The HTTP endpoints beside GraphQL: the JWKS, service tokens, and the session check for services. */
export function authRoutes(deps: AuthRoutesDeps) {
  return (app: express.Express, runtime: ServiceRuntime) => {
    app.get('/.well-known/jwks.json', (_req, res) => {
      res.set('cache-control', 'public, max-age=300').json(deps.keys.jwks());
    });

    // OAuth 2.0 client credentials (RFC 6749 §4.4) for service-to-service calls, the client
    // authenticated by a signed assertion (private_key_jwt, RFC 7523 §2.2); there are no client secrets.
    app.post('/oauth/token', express.json(), express.urlencoded({ extended: false }), async (req, res) => {
      const body = (req.body ?? {}) as Record<string, string | undefined>;
      if (body.grant_type !== 'client_credentials') {
        res.status(400).json({ error: 'unsupported_grant_type' });
        return;
      }
      if (body.client_assertion_type !== CLIENT_ASSERTION_TYPE || !body.client_assertion) {
        res.status(401).json({ error: 'invalid_client', error_description: 'authenticate with a private_key_jwt client assertion' });
        return;
      }
      let service: string;
      try {
        service = await deps.serviceClients.authenticate(body.client_assertion, body.client_id);
      } catch (error) {
        if (!(error instanceof ClientAssertionError)) throw error;
        runtime.logger.warn({ clientId: body.client_id, reason: error.message }, 'service token refused');
        res.status(401).json({ error: 'invalid_client' });
        return;
      }
      const issued = await deps.issuer.serviceToken(service);
      res.set('cache-control', 'no-store').json({
        access_token: issued.token,
        token_type: 'Bearer',
        expires_in: Math.floor((issued.expiresAt.getTime() - Date.now()) / 1000),
        scope: issued.permissions.join(' '),
      });
    });

    // Asked by the other services' kits when Redis cannot answer (DESIGN.md: fail closed otherwise).
    app.post('/internal/session-status', async (req, res) => {
      const header = req.header('authorization');
      const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
      if (!token) {
        res.status(400).json({ error: 'send the token being checked as a bearer token' });
        return;
      }
      if (!deps.caughtUp()) {
        res.status(503).set('retry-after', '1').json({ error: 'auth is applying identity changes; ask again shortly' });
        return;
      }
      try {
        const { caller } = await runtime.verifier.verify(token);
        res.json(await deps.sessionStatus(caller));
      } catch (error) {
        if (error instanceof AuthError) res.json({ ok: false, reason: error.reason });
        else throw error;
      }
    });
  };
}
