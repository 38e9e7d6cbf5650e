import express from 'express';
import { AuthError, CLIENT_ASSERTION_TYPE, type ServiceRuntime } from '@clinicult/kit';
import type { KeyStore } from './keys.js';
import { ClientAssertionError, type ServiceClients } from './service-clients.js';
import { smartToken, TokenRequestError } from './domain/smart-clients.js';
import type { AuthDeps } from './deps.js';
import type { TokenIssuer } from './token-issuer.js';
import type { SessionStatus } from '@clinicult/kit';
import type { Caller } from '@clinicult/rbac';

export interface AuthRoutesDeps {
  keys: KeyStore;
  /** for the FHIR API clients' token requests */
  domain: Pick<AuthDeps, 'db' | 'issuer' | 'config'>;
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

    // SMART Backend Services (issue 18): a clinic's FHIR API client trades a client assertion signed
    // with its own key for an access token. The gateway serves this at PUBLIC_URL/oauth/token and
    // says so in x-clinicult-token-endpoint: the assertion's aud must be that address.
    app.post('/oauth/smart/token', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
      res.set('cache-control', 'no-store').set('pragma', 'no-cache');
      const body = (req.body ?? {}) as Record<string, string | undefined>;
      const tokenEndpoint = req.header('x-clinicult-token-endpoint');
      try {
        if (!tokenEndpoint) throw new TokenRequestError(400, 'invalid_request', 'ask the token endpoint that /fhir/.well-known/smart-configuration names');
        if (body.grant_type !== 'client_credentials') throw new TokenRequestError(400, 'unsupported_grant_type', 'grant_type is client_credentials');
        if (body.client_assertion_type !== CLIENT_ASSERTION_TYPE || typeof body.client_assertion !== 'string') {
          throw new TokenRequestError(400, 'invalid_request', `authenticate with client_assertion_type=${CLIENT_ASSERTION_TYPE} and a client_assertion`);
        }
        const answer = await smartToken(
          deps.domain,
          { assertion: body.client_assertion, clientId: body.client_id, scope: body.scope, tokenEndpoint },
          (id, ttl) => deps.serviceClients.firstUse(id, ttl),
        );
        res.json(answer);
      } catch (error) {
        if (!(error instanceof TokenRequestError)) throw error;
        if (error.error === 'invalid_client') runtime.logger.warn({ clientId: body.client_id, reason: error.description }, 'FHIR API client token refused');
        // RFC 6749 §5.2: the reason is for the client's developer; "invalid_client" alone for a bad credential
        const description = error.error === 'invalid_client' ? 'the client assertion was refused' : error.description;
        res.status(error.status).json({ error: error.error, error_description: description });
      }
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
