import type { ApolloServerPlugin } from '@apollo/server';
import { createRedis, runService, type BaseContext, type RunningService, type ServiceOverrides as KitOverrides } from '@clinicult/kit';
import { PUBLIC_MUTATIONS } from '@clinicult/rbac';
import { webauthnOrigins, type AuthConfig } from './config.js';
import { createDb, type AuthDb } from './db.js';
import type { AuthDeps } from './deps.js';
import { deliveryLoader } from './domain/invitations.js';
import { sessionStatusFromDb } from './domain/sessions.js';
import { FactsWriter } from './facts-writer.js';
import { IdentityConsumer } from './identity-consumer.js';
import { KeyStore } from './keys.js';
import { LoginLimits, ResetLimits } from './login-limits.js';
import { MailRelay } from './mail/relay.js';
import { SecretBox } from './mfa/secret-box.js';
import { rules } from './permissions.js';
import { resolvers, type AuthContext } from './resolvers.js';
import { authRoutes } from './routes.js';
import { ServiceClients } from './service-clients.js';
import { TokenIssuer } from './token-issuer.js';

/**
 * `login { user { memberships } }` through the gateway: the user entity comes from users, which
 * needs a token — the one this request just minted, even when the client did not select `token`.
 * auth reports it in the response extensions; the gateway uses it for the rest of the plan.
 */
const issuedTokenExtension: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        const token = (contextValue as AuthContext).session?.issuedToken;
        if (token && response.body.kind === 'single') {
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, issuedToken: token };
        }
      },
    };
  },
};

export interface AuthService extends RunningService {
  db: AuthDb;
  identity: IdentityConsumer;
  keys: KeyStore;
  facts: FactsWriter;
  mail: MailRelay;
  issuer: TokenIssuer;
}

export type ServiceOverrides = Pick<KitOverrides, 'issuers' | 'redis' | 'logger' | 'auditStream'>;

/**
 * The auth subgraph: logins, sessions, the signing keys and the token endpoint. It consumes the
 * identity stream, and is not ready until it has caught up; it publishes one kind of event, the
 * audit trail's `session.started` (a sign-in to a clinic), to the audit service of the clinic's
 * cluster (its outbox while that Redis is down).
 */
export function startAuthService(config: AuthConfig, overrides: ServiceOverrides = {}): Promise<AuthService> {
  const regions = Object.keys(config.CLUSTER_REDIS_URLS);
  return runService({
    name: 'auth',
    config,
    database: createDb,
    ...(regions.length > 0
      ? {
          clusterEvents: {
            clusters: regions,
            redisUrls: config.CLUSTER_REDIS_URLS,
            // auth's own copy of admin's clinic.placed
            clusterOf: async (clinicId: string, db: AuthDb) =>
              (await db.clinicStatus.findUnique({ where: { clinicId }, select: { cluster: true } }))?.cluster ?? null,
          },
        }
      : {}),
    resolvers,
    rules,
    overrides,
    assemble: async ({ db, redis, logger, metrics, events }) => {
      // the services' public keys first: production refuses to start without them (or with development ones)
      const serviceClients = new ServiceClients({ config, redis, logger, keyPrefix: config.RATE_LIMIT_KEY_PREFIX });
      const keys = new KeyStore(db, config.TOKEN_TTL_SECONDS);
      await keys.init(config.KEY_ROTATION_DAYS);
      const issuer = new TokenIssuer(keys, config);
      // the facts go to auth's own Redis and to each cluster's (one connection per other address)
      const clusterRedis = Object.entries(config.CLUSTER_REDIS_URLS)
        .filter(([, url]) => url !== config.REDIS_URL)
        .map(([cluster, url]) => ({ name: cluster, redis: createRedis({ REDIS_URL: url, REDIS_CA_FILE: config.REDIS_CA_FILE }, `auth-facts-${cluster}`) }));
      const facts = new FactsWriter(db, [{ name: 'platform', redis }, ...clusterRedis], logger);
      // (the mail relay is woken when an invitation event queued mail)
      const identity = new IdentityConsumer({ db, facts, logger, redis, config, mailQueued: () => mail.kick(), stream: config.IDENTITY_STREAM });
      const caughtUp = () => identity.caughtUp;
      issuer.gateUserTokens(caughtUp);
      const sessionStatus = async (caller: Parameters<typeof sessionStatusFromDb>[1]) => {
        if (!caughtUp()) throw new Error('auth has not applied the identity stream yet');
        return sessionStatusFromDb(db, caller);
      };
      const mail = new MailRelay({
        db,
        smtpUrl: config.SMTP_URL,
        from: config.MAIL_FROM,
        logger,
        registry: metrics.registry,
        intervalMs: config.MAIL_RELAY_INTERVAL_MS,
        maxAttempts: config.MAIL_MAX_ATTEMPTS,
        retryBaseMs: config.MAIL_RETRY_BASE_MS,
      });
      const deps: AuthDeps & { keys: KeyStore } = {
        db,
        config,
        issuer,
        facts,
        limits: new LoginLimits(redis, config),
        resetLimits: new ResetLimits(redis, config),
        secrets: new SecretBox(config.MFA_SECRET_KEY),
        rp: { id: config.WEBAUTHN_RP_ID, name: config.WEBAUTHN_RP_NAME, origins: webauthnOrigins(config) },
        keys,
        mailQueued: () => mail.kick(),
      };
      return {
        publicFields: [...PUBLIC_MUTATIONS],
        issuers: [keys.trustedIssuer(config.JWT_ISSUER, config.JWT_AUDIENCE)],
        // auth is the source of the facts: when Redis cannot answer it asks its own database
        sessionFallback: sessionStatus,
        createContext: (base): AuthContext => ({ ...base, deps, audit: events.audit, session: {}, deliveries: deliveryLoader(db, base.caller) }),
        plugins: [issuedTokenExtension],
        readiness: { identity: identity.readiness },
        routes: authRoutes({ keys, issuer, serviceClients, sessionStatus, caughtUp, domain: deps }),
        exposed: { keys, facts, mail, issuer, identity },
        stop: [
          () => identity.stop(),
          () => mail.stop(),
          async () => facts.stop(),
          async () => keys.stopRefresh(),
          () => Promise.all(clusterRedis.map(({ redis: r }) => r.quit().catch(() => r.disconnect()))),
        ],
        started: async () => {
          mail.start();
          identity.start();
          facts.start(config.FACTS_WARM_INTERVAL_MS);
          // answer as a caught-up auth from the first request when that takes a moment (a stopped Redis: not ready until it returns)
          if (!(await identity.waitUntilCaughtUp(5_000))) logger.warn('identity stream not consumed yet: auth is not ready and signs nobody in');
          keys.startRefresh(config.KEY_REFRESH_INTERVAL_MS, config.KEY_ROTATION_DAYS, (err) =>
            logger.warn({ err }, 'signing keys: refresh failed'),
          );
        },
      };
    },
  });
}
