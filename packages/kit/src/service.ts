import type { ApolloServerPlugin } from '@apollo/server';
import type { Redis } from 'ioredis';
import { databaseFlavor, withStatementTimeLimit } from '@clinicult/db';
import type { IRules } from '@clinicult/rbac';
import type { BaseConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createRedis } from './redis.js';
import { loadSubgraphSchema } from './schema-files.js';
import type { ReadinessChecks } from './ops.js';
import { startSubgraph, type BaseContext, type RunningService, type SubgraphOptions, type SubgraphResolvers } from './server.js';
import { createConsumingEvents, createServiceEvents, type ConsumingEvents, type ServiceEvents } from './service-events.js';
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

/**
 * The events part of a service: with an outbox (the default) its bus, whose outbox is the service's
 * own `event_outbox`, the relay and the audit trail; a service declared `outbox: false` (it
 * publishes nothing and has no `event_outbox`, as audit) gets a bus that only consumes.
 */
export type EventsOf<TOutbox extends boolean> = TOutbox extends false ? ConsumingEvents : ServiceEvents;

/** The parts the kit opens for a service and hands to its `assemble`. */
export interface ServiceParts<TDb, TEvents = ServiceEvents> {
  config: BaseConfig;
  logger: Logger;
  redis: Redis;
  db: TDb;
  /** the service's metrics registry (served at /metrics), for what registers metrics of its own */
  metrics: Metrics;
  /** the service's bus (and, with its outbox, its audit trail): EventsOf */
  events: TEvents;
  /**
   * With `searchDatabase: true`: a second client of the same database whose every statement stops
   * after SEARCH_TIMEOUT_MS (@clinicult/db statement-limit.ts), for the queries whose cost the
   * user's input decides; null otherwise.
   */
  searchDb: TDb | null;
}

/** What a service builds on the kit's parts: its domain, consumers and relays, and a request's context. */
export interface AssembledService<TContext extends BaseContext, TExposed> {
  createContext(base: BaseContext): TContext | Promise<TContext>;
  plugins?: ApolloServerPlugin<BaseContext>[];
  routes?: SubgraphOptions<TContext>['routes'];
  /** Readiness checks of the service's own (on /readyz beside the kit's Redis and database). */
  readiness?: ReadinessChecks;
  /** Token issuers the service trusts of its own (before the overrides' and the configured ones). */
  issuers?: TrustedIssuer[];
  publicFields?: SubgraphOptions<TContext>['publicFields'];
  sessionFallback?: SubgraphOptions<TContext>['sessionFallback'];
  /** What the running service offers its callers besides RunningService (caches, subscriptions…). */
  exposed: TExposed;
  /** Stopped after the server and before the bus and the database (relays, timers). */
  stop?: Array<() => Promise<unknown>>;
  /** Runs once the server listens (consumers, relays and timers that start then); a throw stops the service. */
  started?(service: RunningService): void | Promise<void>;
}

/**
 * A subgraph, declared once: its name, contract, rules, database and what it assembles from the
 * kit's parts. `runService` opens the parts, starts the server, and stops everything in one order
 * (server → the service's own stops → bus → database → Redis it owns), also when the start fails.
 */
export interface ServiceDeclaration<TDb extends ServiceDatabase, TContext extends BaseContext, TExposed, TOutbox extends boolean = true> {
  name: string;
  /** false: the service publishes nothing and has no `event_outbox` (EventsOf); default true */
  outbox?: TOutbox;
  config: BaseConfig & { PORT: number; DATABASE_URL: string };
  /** the service's database client (its db.ts `createDb`) */
  database: (url: string, options: { onQuery?: (sql: string) => void }) => TDb;
  /**
   * The clusters this service publishes cluster events to, and their Redis (`redisUrls`; a cluster
   * not listed uses REDIS_URL): each cluster's events are relayed to its own Redis (service-events.ts).
   */
  clusterEvents?: {
    clusters: readonly string[];
    redisUrls: Readonly<Record<string, string>>;
    /** a platform service's audit events go to the audit service of the clinic's cluster (service-events.ts) */
    clusterOf?: (clinicId: string, db: TDb) => Promise<string | null>;
  };
  /** true: `parts.searchDb`, a client whose statements are time-limited (text searches) */
  searchDatabase?: boolean;
  /** its generated `Resolvers` (graphql-codegen, schema/codegen.mjs) */
  resolvers: SubgraphResolvers;
  rules: IRules;
  assemble(parts: ServiceParts<TDb, EventsOf<TOutbox>>): AssembledService<TContext, TExposed> | Promise<AssembledService<TContext, TExposed>>;
  overrides?: ServiceOverrides;
}

/** What runService resolves to: the running subgraph, its database and events, and what it exposes (which wins a clash). */
export type RunningDeclaredService<TDb, TExposed, TEvents = ServiceEvents> = Omit<RunningService & { db: TDb; events: TEvents }, keyof TExposed> &
  TExposed;

export async function runService<
  TDb extends ServiceDatabase,
  TContext extends BaseContext,
  TExposed extends object,
  TOutbox extends boolean = true,
>(declaration: ServiceDeclaration<TDb, TContext, TExposed, TOutbox>): Promise<RunningDeclaredService<TDb, TExposed, EventsOf<TOutbox>>> {
  const { name, config, overrides = {} } = declaration;
  const logger = overrides.logger ?? createLogger(name, config.LOG_LEVEL);
  const redis = overrides.redis ?? createRedis(config, name);
  const metrics = createMetrics(name);
  const db = declaration.database(config.DATABASE_URL, overrides.onQuery ? { onQuery: overrides.onQuery } : {});
  // each cluster's own Redis (regions); one that shares REDIS_URL shares the connection
  const clusterRedis = (declaration.clusterEvents?.clusters ?? []).map((cluster) => {
    const url = declaration.clusterEvents?.redisUrls[cluster];
    return { cluster, redis: url && url !== config.REDIS_URL ? createRedis({ ...config, REDIS_URL: url }, `${name}-${cluster}`) : redis, own: !!url && url !== config.REDIS_URL };
  });
  // audit events and the service's own events wait in its outbox while Redis is down
  const events = (
    declaration.outbox === false
      ? createConsumingEvents({ service: name, redis, logger })
      : createServiceEvents({
          service: name,
          redis,
          db,
          logger,
          clusters: clusterRedis,
          ...(declaration.clusterEvents?.clusterOf ? { clusterOf: (clinicId: string) => declaration.clusterEvents!.clusterOf!(clinicId, db) } : {}),
          ...(overrides.auditStream ? { auditStream: overrides.auditStream } : {}),
        })
  ) as EventsOf<TOutbox>;
  let ownStops: Array<() => Promise<unknown>> = [];
  let searchDb: TDb | null = null;
  const closeParts = async () => {
    for (const stop of ownStops) await stop().catch((err: unknown) => logger.warn({ err }, 'stopping a part of the service failed'));
    await events.close();
    await searchDb?.$disconnect();
    await db.$disconnect();
    if (!overrides.redis) redis.disconnect();
    for (const c of clusterRedis) if (c.own) c.redis.disconnect();
  };
  try {
    if (declaration.searchDatabase) {
      const limited = withStatementTimeLimit(config.DATABASE_URL, config.SEARCH_TIMEOUT_MS, await databaseFlavor(db));
      searchDb = declaration.database(limited, overrides.onQuery ? { onQuery: overrides.onQuery } : {});
    }
    const assembled = await declaration.assemble({ config, logger, redis, db, metrics, events, searchDb });
    ownStops = assembled.stop ?? [];
    const issuers = [...(assembled.issuers ?? []), ...(overrides.issuers ?? [])];
    const service = await startSubgraph<TContext>({
      name,
      port: config.PORT,
      config,
      typeDefs: loadSubgraphSchema(name),
      resolvers: declaration.resolvers,
      rules: declaration.rules,
      createContext: assembled.createContext,
      readiness: { database: async () => db.$queryRawUnsafe('SELECT 1'), ...assembled.readiness },
      logger,
      redis,
      metrics,
      onShutdown: [closeParts],
      ...(assembled.plugins ? { plugins: assembled.plugins } : {}),
      ...(assembled.routes ? { routes: assembled.routes } : {}),
      ...(issuers.length > 0 ? { issuers } : {}),
      ...(assembled.publicFields ? { publicFields: assembled.publicFields } : {}),
      ...(assembled.sessionFallback ? { sessionFallback: assembled.sessionFallback } : {}),
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
