import type { Redis } from 'ioredis';
import { createEventBus, createPrismaOutbox, type EventBus, type SqlClient } from '@clinicult/events';
import { createAuditTrail, type AuditTrail } from './audit.js';
import { clusterStream } from './clusters.js';
import type { Logger } from './logger.js';

export interface ServiceEvents {
  bus: EventBus;
  audit: AuditTrail;
  /** Moves every outbox row to Redis now (each cluster's to its own), instead of at the relays' next round. */
  deliver(): Promise<void>;
  /** Rows waiting in the service's outbox, every cluster's part included (for a backlog gauge, or a test waiting for delivery). */
  backlog(): Promise<number>;
  /** The bus whose events go to that cluster's Redis (its own part of the outbox while it is down); undefined for a cluster not configured. */
  clusterBus(cluster: string): EventBus | undefined;
  /** Waits for audit events in flight, stops the relay and the bus (call before closing the database). */
  close(): Promise<void>;
}

/** The events of a service that only consumes (it publishes nothing, so it has no outbox). */
export interface ConsumingEvents {
  bus: EventBus;
  /** Stops the bus's subscriptions (call before closing the database). */
  close(): Promise<void>;
}

export function createConsumingEvents(options: { service: string; redis: Redis; logger: Logger }): ConsumingEvents {
  const bus = createEventBus(options);
  return { bus, close: () => bus.close() };
}

/**
 * Every service's event plumbing, written once: a bus whose outbox is the service's own
 * `event_outbox` table (so nothing is lost while Redis is down), its relay, and the audit trail.
 */
export function createServiceEvents(options: {
  service: string;
  redis: Redis;
  db: SqlClient;
  logger: Logger;
  /** tests use streams of their own */
  auditStream?: string;
  relayIntervalMs?: number;
  /**
   * The clusters this service publishes to, each with its Redis (regions): the rows of a cluster's
   * stream (`events:cluster:<name>`) are delivered there by a relay of their own, so one cluster
   * that is down holds back only its own events, which wait in order and go when it returns.
   */
  clusters?: ReadonlyArray<{ cluster: string; redis: Redis }>;
  /**
   * The cluster of a clinic, for a platform service's audit events: each goes to the audit service
   * of its clinic's cluster (null: the clinic is unknown here, the event goes on the service's own
   * Redis). A clinic's cluster never changes once placed, so each answer is kept (bounded).
   */
  clusterOf?: (clinicId: string) => Promise<string | null>;
}): ServiceEvents {
  const clusters = options.clusters ?? [];
  const outbox = createPrismaOutbox(options.db, { except: clusters.map((c) => clusterStream(c.cluster)) });
  const bus = createEventBus({ redis: options.redis, service: options.service, outbox, logger: options.logger });
  const relay = bus.startOutboxRelay(options.relayIntervalMs ?? 1000);
  const clusterBuses = clusters.map(({ cluster, redis }) => {
    const clusterBus = createEventBus({
      redis,
      service: options.service,
      outbox: createPrismaOutbox(options.db, { only: [clusterStream(cluster)], route: cluster }),
      logger: options.logger.child({ cluster }),
    });
    return { cluster, bus: clusterBus, relay: clusterBus.startOutboxRelay(options.relayIntervalMs ?? 1000) };
  });
  const clusterBusOf = (cluster: string) => clusterBuses.find((c) => c.cluster === cluster)?.bus;
  const clusterOf = options.clusterOf ? remembered(options.clusterOf) : undefined;
  const audit = createAuditTrail({
    bus,
    ...(clusterOf && clusterBuses.length > 0
      ? {
          route: async (clinicId: string | null) => {
            const cluster = clinicId ? await clusterOf(clinicId) : null;
            return (cluster && clusterBusOf(cluster)) || null;
          },
        }
      : {}),
    service: options.service,
    logger: options.logger,
    ...(options.auditStream ? { stream: options.auditStream } : {}),
  });
  return {
    bus,
    audit,
    clusterBus: clusterBusOf,
    async backlog() {
      const counts = await Promise.all([bus, ...clusterBuses.map((c) => c.bus)].map((b) => b.outboxBacklog()));
      return counts.reduce((a, b) => a + b, 0);
    },
    async deliver() {
      await Promise.all([bus, ...clusterBuses.map((c) => c.bus)].map((b) => b.flushOutbox()));
    },
    async close() {
      await audit.drain();
      await relay.stop();
      await bus.close();
      for (const c of clusterBuses) {
        await c.relay.stop();
        await c.bus.close();
      }
    },
  };
}

/** A lookup whose answers never change (a clinic's cluster), each kept once found; the oldest forgotten past `max`. */
function remembered(lookup: (clinicId: string) => Promise<string | null>, max = 10_000): (clinicId: string) => Promise<string | null> {
  const known = new Map<string, string>();
  return async (clinicId) => {
    const held = known.get(clinicId);
    if (held) return held;
    const found = await lookup(clinicId);
    if (found === null) return null;
    if (known.size >= max) known.delete(known.keys().next().value!);
    known.set(clinicId, found);
    return found;
  };
}
