import type { ApolloServerPlugin } from '@apollo/server';
import type { Redis } from 'ioredis';
import {
  createLogger,
  createRedis,
  loadSubgraphSchema,
  startSubgraph,
  type BaseContext,
  type Logger,
  type RunningService,
  type TrustedIssuer,
} from '@clinicult/kit';
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

export interface ServiceOverrides {
  issuers?: TrustedIssuer[];
  redis?: Redis;
  logger?: Logger;
}

export async function startAuthService(config: AuthConfig, overrides: ServiceOverrides = {}): Promise<AuthService> {
  const logger = overrides.logger ?? createLogger('auth', config.LOG_LEVEL);
  const redis = overrides.redis ?? createRedis(config, 'auth');
  // the services' public keys first: production refuses to start without them (or with development ones)
  const serviceClients = new ServiceClients({ config, redis, logger, keyPrefix: config.RATE_LIMIT_KEY_PREFIX });
  const db = createDb(config.DATABASE_URL);
  const keys = new KeyStore(db, config.TOKEN_TTL_SECONDS);
  await keys.init(config.KEY_ROTATION_DAYS);
  const issuer = new TokenIssuer(keys, config);
  const facts = new FactsWriter(db, redis, logger);
  const limits = new LoginLimits(redis, config);
  const identity = new IdentityConsumer({ db, facts, logger, redis, stream: config.IDENTITY_STREAM });
  const caughtUp = () => identity.caughtUp;
  issuer.gateUserTokens(caughtUp);
  const sessionStatus = async (caller: Parameters<typeof sessionStatusFromDb>[1]) => {
    if (!caughtUp()) throw new Error('auth has not applied the identity stream yet');
    return sessionStatusFromDb(db, caller);
  };
  let mail: MailRelay | null = null;
  const deps: AuthDeps & { keys: KeyStore } = {
    db,
    config,
    issuer,
    facts,
    limits,
    resetLimits: new ResetLimits(redis, config),
    secrets: new SecretBox(config.MFA_SECRET_KEY),
    rp: { id: config.WEBAUTHN_RP_ID, name: config.WEBAUTHN_RP_NAME, origins: webauthnOrigins(config) },
    keys,
    mailQueued: () => mail?.kick(),
  };

  const service = await startSubgraph<AuthContext>({
    name: 'auth',
    port: config.PORT,
    config,
    logger,
    redis,
    typeDefs: loadSubgraphSchema('auth'),
    resolvers,
    rules,
    publicFields: [...PUBLIC_MUTATIONS],
    issuers: [keys.trustedIssuer(config.JWT_ISSUER, config.JWT_AUDIENCE), ...(overrides.issuers ?? [])],
    // auth is the source of the facts: when Redis cannot answer it asks its own database
    sessionFallback: sessionStatus,
    createContext: (base) => ({ ...base, deps, session: {}, deliveries: deliveryLoader(db, base.caller) }),
    plugins: [issuedTokenExtension],
    readiness: { database: () => db.$queryRawUnsafe('SELECT 1'), identity: identity.readiness },
    routes: authRoutes({ keys, issuer, serviceClients, sessionStatus, caughtUp }),
    onShutdown: [
      () => identity.stop(),
      async () => mail?.stop(),
      async () => facts.stop(),
      async () => keys.stopRefresh(),
      () => db.$disconnect(),
      async () => {
        if (!overrides.redis) redis.disconnect();
      },
    ],
  });
  mail = new MailRelay({
    db,
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
    logger,
    registry: service.runtime.metrics.registry,
    intervalMs: config.MAIL_RELAY_INTERVAL_MS,
    maxAttempts: config.MAIL_MAX_ATTEMPTS,
    retryBaseMs: config.MAIL_RETRY_BASE_MS,
  });
  mail.start();
  identity.start();
  facts.start(config.FACTS_WARM_INTERVAL_MS);
  // answer as a caught-up auth from the first request when that takes a moment (a stopped Redis: not ready until it returns)
  if (!(await identity.waitUntilCaughtUp(5_000))) logger.warn('identity stream not consumed yet: auth is not ready and signs nobody in');
  keys.startRefresh(config.KEY_REFRESH_INTERVAL_MS, config.KEY_ROTATION_DAYS, (err) =>
    logger.warn({ err }, 'signing keys: refresh failed'),
  );
  return { ...service, db, keys, facts, mail, issuer, identity };
}
