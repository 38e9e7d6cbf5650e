import { hostname } from 'node:os';
import type { EventBus, EventEnvelope, Subscription } from '@clinicult/events';
import { CLUSTER_EVENTS, clinicEventSchema } from '@clinicult/contracts';
import { clusterStream, type Logger } from '@clinicult/kit';
import type { ClinicDb } from './db.js';
import { applyPublished, parsePublished } from './domain/catalog.js';
import { ensureClinicDefaults, type DefaultsHooks } from './domain/defaults.js';

/**
 * clinic's consumer of its clusters' streams (`events:cluster:<cluster>`, group `clinic`), where the
 * admin plane publishes (payload schemas: @clinicult/contracts, cluster.ts):
 *
 * - `clinic.created` → the clinic's default settings and templates, once (ensureClinicDefaults: one
 *   transaction keyed on the settings row).
 * - `template.published` → the catalogue entry and new versions of the templates adopted from it
 *   (applyPublished: by version numbers).
 * - `clinic.updated`, `clinic.suspended`, `clinic.reactivated` and anything else: nothing to do here
 *   (the kit's session facts carry suspension); acknowledged.
 *
 * Delivery is at-least-once (the bus records handled ids, but a crash after the handler and before
 * the record replays it), so each handler is idempotent by its data. A handler that throws leaves
 * the event pending; it comes again after `claimIdleMs`, and is parked after `maxAttempts`.
 * A malformed payload is logged and acknowledged: retrying it cannot help.
 */
export const CLINIC_CREATED = CLUSTER_EVENTS.clinicCreated;
export const TEMPLATE_PUBLISHED = CLUSTER_EVENTS.templatePublished;
export const IGNORED_CLUSTER_EVENTS = [CLUSTER_EVENTS.clinicUpdated, CLUSTER_EVENTS.clinicSuspended, CLUSTER_EVENTS.clinicReactivated];

export interface ClusterEventsOptions {
  bus: EventBus;
  db: ClinicDb;
  logger: Logger;
  clusters: readonly string[];
  /** the consumer group; default `clinic` */
  group?: string;
  /** where a new group starts; default '0' (the whole retained stream: nothing published before the first start is missed) */
  startId?: string;
  /** how long a failed or orphaned event waits before it is retried (ms) */
  claimIdleMs?: number;
  hooks?: DefaultsHooks & {
    /** Tests only: called first for every event with its delivery attempt; throwing is a failed handling. */
    onEvent?: (envelope: EventEnvelope, attempt: number) => unknown;
  };
}

export function createClusterHandler(options: Pick<ClusterEventsOptions, 'db' | 'logger' | 'hooks'>) {
  const { db, logger, hooks = {} } = options;
  return async (envelope: EventEnvelope, attempt = 1): Promise<void> => {
    await hooks.onEvent?.(envelope, attempt);
    switch (envelope.type) {
      case CLINIC_CREATED: {
        const parsed = clinicEventSchema.safeParse(envelope.payload);
        const clinicId = parsed.success ? parsed.data.clinic.id : null;
        if (!clinicId || (envelope.clinicId && envelope.clinicId !== clinicId)) {
          logger.warn({ eventId: envelope.id, type: envelope.type }, 'clinic.created: malformed payload; ignored');
          return;
        }
        const created = await db.$transaction((tx) => ensureClinicDefaults(tx, clinicId, CLINIC_CREATED, hooks));
        logger.info({ eventId: envelope.id, clinicId, created }, created ? 'clinic defaults created' : 'clinic defaults already present');
        return;
      }
      case TEMPLATE_PUBLISHED: {
        const published = parsePublished(envelope.payload);
        if (!published) {
          logger.warn({ eventId: envelope.id, type: envelope.type }, 'template.published: malformed payload; ignored');
          return;
        }
        const result = await applyPublished(db, published);
        logger.info({ eventId: envelope.id, globalTemplateId: published.id, version: published.version, retired: published.retired, ...result }, 'global template received');
        return;
      }
      default:
        logger.debug({ eventId: envelope.id, type: envelope.type }, 'cluster event: nothing to do in clinic');
    }
  };
}

/** One subscription per cluster stream; `events.close()` (the bus) stops them. */
export function subscribeClusterEvents(options: ClusterEventsOptions): Subscription[] {
  const handle = createClusterHandler(options);
  const consumer = `${hostname()}-${process.pid}`;
  return options.clusters.map((cluster) =>
    options.bus.subscribe({
      stream: clusterStream(cluster),
      group: options.group ?? 'clinic',
      consumer,
      startId: options.startId ?? '0',
      ...(options.claimIdleMs !== undefined ? { claimIdleMs: options.claimIdleMs } : {}),
      handler: (envelope, ctx) => handle(envelope, ctx.deliveryCount),
    }),
  );
}
