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
import { serviceClientSecrets, type AuthConfig } from './config.js';
import { createDb, type AuthDb } from './db.js';
import { sessionStatusFromDb } from './domain/sessions.js';
import { FactsWriter } from './facts-writer.js';
import { KeyStore } from './keys.js';
import { LoginLimits } from './login-limits.js';
import { rules } from './permissions.js';
import { resolvers, type AuthContext } from './resolvers.js';
import { authRoutes } from './routes.js';
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
  keys: KeyStore;
  facts: FactsWriter;
}

export interface ServiceOverrides {
  issuers?: TrustedIssuer[];
  redis?: Redis;
  logger?: Logger;
}

export async function startAuthService(config: AuthConfig, overrides: ServiceOverrides = {}): Promise<AuthService> {
  const logger = overrides.logger ?? createLogger('auth', config.LOG_LEVEL);
  const redis = overrides.redis ?? createRedis(config.REDIS_URL, 'auth');
  const db = createDb(config.DATABASE_URL);
  const keys = new KeyStore(db, config.TOKEN_TTL_SECONDS);
  await keys.init(config.KEY_ROTATION_DAYS);
  const issuer = new TokenIssuer(keys, config);
  const facts = new FactsWriter(db, redis, logger);
  const limits = new LoginLimits(redis, config);
  const sessionStatus = (caller: Parameters<typeof sessionStatusFromDb>[1]) => sessionStatusFromDb(db, caller);
  const deps = { db, issuer, facts, limits, keys, config };

  const service = await startSubgraph<AuthContext>({
    name: 'auth',
    port: config.PORT,
    config,
    logger,
    redis,
    typeDefs: loadSubgraphSchema('auth'),
    resolvers,
    rules,
    publicFields: ['login', 'acceptInvitation'],
    issuers: [keys.trustedIssuer(config.JWT_ISSUER, config.JWT_AUDIENCE), ...(overrides.issuers ?? [])],
    // auth is the source of the facts: when Redis cannot answer it asks its own database
    sessionFallback: sessionStatus,
    createContext: (base) => ({ ...base, deps, session: {} }),
    plugins: [issuedTokenExtension],
    readiness: { database: () => db.$queryRawUnsafe('SELECT 1') },
    routes: authRoutes({ keys, issuer, serviceSecrets: serviceClientSecrets(config), sessionStatus }),
    onShutdown: [
      async () => facts.stop(),
      async () => keys.stopRefresh(),
      () => db.$disconnect(),
      async () => {
        if (!overrides.redis) redis.disconnect();
      },
    ],
  });
  facts.start(config.FACTS_WARM_INTERVAL_MS);
  keys.startRefresh(config.KEY_REFRESH_INTERVAL_MS, config.KEY_ROTATION_DAYS, (err) =>
    logger.warn({ err }, 'signing keys: refresh failed'),
  );
  return { ...service, db, keys, facts };
}
