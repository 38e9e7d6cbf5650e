import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { Redis } from 'ioredis';
import type { IRules } from '@clinicult/rbac';
import type { BaseConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createRedis } from './redis.js';
import { loadSubgraphSchema } from './schema-files.js';
import { startSubgraph, type BaseContext, type RunningService, type SubgraphOptions } from './server.js';
import { createServiceEvents, type ServiceEvents } from './service-events.js';
import type { TrustedIssuer } from './tokens.js';

/** A service's database client, as every service's db.ts makes it (@clinicult/db createServiceDb). */
export interface ServiceDatabase {
  $queryRawUnsafe(query: string): PromiseLike<unknown>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<unknown>;
  $disconnect(): Promise<void>;
}

/** What tests and callers may replace in any service (the same for every one). */
export interface ServiceOverrides {
  /** Extra trusted token issuers (tests). */
  issuers?: TrustedIssuer[];
  /** A Redis connection owned by the caller (left open on stop). */
  redis?: Redis;
  logger?: Logger;
  /** The audit stream (tests use one of their own); default the kit's AUDIT_STREAM. */
  auditStream?: string;
  /** Sees every SQL statement of the service's database (tests count queries). */
  onQuery?: (sql: string) => void;
}

/** The parts the kit opens for a service and hands to its `assemble`. */
export interface ServiceParts<TDb> {
  config: BaseConfig;
  logger: Logger;
  redis: Redis;
  db: TDb;
  /** the service's bus (its outbox is the service's own `event_outbox`) and audit trail */
  events: ServiceEvents;
}

/** What a service builds on the kit's parts: its domain, consumers and relays, and a request's context. */
export interface AssembledService<TContext extends BaseContext, TExposed> {
  createContext(base: BaseContext): TContext | Promise<TContext>;
  plugins?: ApolloServerPlugin<BaseContext>[];
  routes?: SubgraphOptions<TContext>['routes'];
  /** What the running service offers its callers besides RunningService (caches, subscriptions…). */
  exposed: TExposed;
  /** Stopped after the server and before the bus and the database (relays, timers). */
  stop?: Array<() => Promise<unknown>>;
  /** Runs once the server listens (what needs its runtime, e.g. its metrics registry); a throw stops the service. */
  started?(service: RunningService): void | Promise<void>;
}

/**
 * A subgraph, declared once: its name, contract, rules, database and what it assembles from the
 * kit's parts. `runService` opens the parts, starts the server, and stops everything in one order
 * (server → the service's own stops → bus → database → Redis it owns), also when the start fails.
 */
export interface ServiceDeclaration<TDb extends ServiceDatabase, TContext extends BaseContext, TExposed> {
  name: string;
  config: BaseConfig & { PORT: number; DATABASE_URL: string };
  /** the service's database client (its db.ts `createDb`) */
  database: (url: string, options: { onQuery?: (sql: string) => void }) => TDb;
  resolvers: GraphQLResolverMap<TContext>;
  rules: IRules;
  assemble(parts: ServiceParts<TDb>): AssembledService<TContext, TExposed> | Promise<AssembledService<TContext, TExposed>>;
  overrides?: ServiceOverrides;
}

export type RunningDeclaredService<TDb, TExposed> = RunningService & { db: TDb; events: ServiceEvents } & TExposed;

export async function runService<TDb extends ServiceDatabase, TContext extends BaseContext, TExposed extends object>(
  declaration: ServiceDeclaration<TDb, TContext, TExposed>,
): Promise<RunningDeclaredService<TDb, TExposed>> {
  const { name, config, overrides = {} } = declaration;
  const logger = overrides.logger ?? createLogger(name, config.LOG_LEVEL);
  const redis = overrides.redis ?? createRedis(config, name);
  const db = declaration.database(config.DATABASE_URL, overrides.onQuery ? { onQuery: overrides.onQuery } : {});
  // audit events and the service's own events wait in its outbox while Redis is down
  const events = createServiceEvents({ service: name, redis, db, logger, ...(overrides.auditStream ? { auditStream: overrides.auditStream } : {}) });
  let ownStops: Array<() => Promise<unknown>> = [];
  const closeParts = async () => {
    for (const stop of ownStops) await stop().catch((err: unknown) => logger.warn({ err }, 'stopping a part of the service failed'));
    await events.close();
    await db.$disconnect();
    if (!overrides.redis) redis.disconnect();
  };
  try {
    const assembled = await declaration.assemble({ config, logger, redis, db, events });
    ownStops = assembled.stop ?? [];
    const service = await startSubgraph<TContext>({
      name,
      port: config.PORT,
      config,
      typeDefs: loadSubgraphSchema(name),
      resolvers: declaration.resolvers,
      rules: declaration.rules,
      createContext: assembled.createContext,
      readiness: { database: async () => db.$queryRawUnsafe('SELECT 1') },
      logger,
      redis,
      onShutdown: [closeParts],
      ...(assembled.plugins ? { plugins: assembled.plugins } : {}),
      ...(assembled.routes ? { routes: assembled.routes } : {}),
      ...(overrides.issuers ? { issuers: overrides.issuers } : {}),
    });
    try {
      await assembled.started?.(service);
    } catch (error) {
      await service.stop(); // closes the parts too
      throw error;
    }
    return { ...service, db, events, ...assembled.exposed };
  } catch (error) {
    await closeParts().catch(() => undefined);
    throw error;
  }
}
