import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { EventBus, EventsLogger } from '@clinicult/events';
import { clientSubject, type Caller } from '@clinicult/rbac';
import type { BaseContext } from './server.js';

/**
 * The audit trail (DESIGN.md, audit): every read of medical data, every write of patient data and
 * every role or membership change becomes one event on `events:audit`, published through the
 * service's event bus. The bus falls back to the service's own outbox when Redis is down (its relay
 * delivers later), so an event is never lost; the audit service stores it append-only.
 *
 *   const bus = createEventBus({ redis, service: 'patients', outbox: createPrismaOutbox(db), logger });
 *   const relay = bus.startOutboxRelay();
 *   const audit = createAuditTrail({ bus, service: 'patients', logger });
 *   startSubgraph({ …, plugins: [audit.plugin()],
 *     createContext: (base) => ({ ...base, audit: audit.collector(base), … }) });
 *
 *   // a write: one event, awaited (bounded) or not — `record` never throws
 *   await audit.record(ctx, { action: 'patient.update', patientId, fields: ['phone'] });
 *   // a medical field resolver: noted per request, one event per patient sent before the response
 *   ctx.audit.medicalRead(patient.id, 'allergies');
 *   // on shutdown, before closing the bus and the database
 *   await audit.drain();
 */

/** The stream every service publishes audit events to and the audit service consumes. */
export const AUDIT_STREAM = 'events:audit';
/** `type` of the event envelope; the audit action is in the payload. */
export const AUDIT_EVENT_TYPE = 'audit.recorded';
/** What a read of medical fields is recorded as (one event per patient per request). */
export const MEDICAL_READ_ACTION = 'patient.read.medical';
/**
 * The request header through which the gateway says which public API a request came from (its
 * FHIR facade sends `fhir`). The kit's request context does not carry headers, so the audit plugin
 * reads it from the HTTP request and sets it on the request's collector; `record` uses that.
 */
export const AUDIT_API_HEADER = 'x-clinicult-api';
export const AUDIT_APIS = ['graphql', 'fhir'] as const;
export type AuditApi = (typeof AUDIT_APIS)[number];
/** Who acts: a person (staff, operator), a service, or a clinic's registered client (`client:<id>`). */
export const AUDIT_ACTOR_KINDS = ['staff', 'operator', 'service', 'client'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

/** What the trail needs from a request: who, which request, where to log. A `BaseContext` is one. */
export type AuditRequestContext = Pick<BaseContext, 'caller' | 'requestId' | 'logger'>;

/** What a service says happened; the trail adds who, which clinic, when, where from. */
export interface AuditInput {
  /** dotted, e.g. `patient.read.medical`, `patient.update`, `membership.changed`, `user.deactivated` */
  action: string;
  patientId?: string | null;
  targetUserId?: string | null;
  /** the fields read or changed (names only, never values) */
  fields?: string[];
  /** default: the request's (`x-clinicult-api`), else `graphql` */
  api?: AuditApi;
  /** small JSON facts, e.g. `{ before: ['OFFICE'], after: ['DOCTOR'] }`; never medical values */
  details?: Record<string, unknown>;
  /**
   * For a service that acts for a clinic named in an argument rather than in its call's
   * `x-clinicult-clinic-id` header. A staff caller's events always belong to the token's clinic
   * (naming another one refuses the event) — except a person's own membership events
   * (`targetUserId` = the caller), which belong to the clinic named here; operators' events belong
   * to the clinic they name (none when they name none).
   */
  clinicId?: string | null;
}

/** One audit event as it travels on the stream (envelope payload) and as the audit service stores it. */
export interface AuditRecord {
  /** = the envelope id: the audit service stores each id once */
  id: string;
  action: string;
  /** null only for operator actions that concern no clinic */
  clinicId: string | null;
  /** the user id, or `service:<name>` */
  actorId: string;
  actorKind: AuditActorKind;
  patientId: string | null;
  targetUserId: string | null;
  fields: string[] | null;
  api: AuditApi;
  /** the service that recorded it */
  service: string;
  requestId: string;
  details: Record<string, unknown> | null;
  /** ISO 8601 */
  occurredAt: string;
}

export interface AuditTrailOptions {
  /** The service's bus, created with its Prisma outbox (`createPrismaOutbox(db)`) and relay. */
  bus: Pick<EventBus, 'publish'>;
  /** This service's name (`AuditRecord.service`). */
  service: string;
  logger: EventsLogger;
  /** Default AUDIT_STREAM; tests use a stream of their own. */
  stream?: string;
  /**
   * Regions: the bus of the clinic's cluster, for a platform service (users) whose events belong to
   * the audit service where the clinic's data lives; null (or a failed lookup): `bus`.
   */
  route?: (clinicId: string | null) => Promise<Pick<EventBus, 'publish'> | null>;
  /**
   * The longest `record` keeps its caller waiting (default 1000 ms). The bus gives Redis 500 ms and
   * then writes the outbox; should even that be slow, the caller goes on and the publish finishes in
   * the background (`drain()` waits for it).
   */
  maxWaitMs?: number;
}

export interface AuditTrail {
  readonly stream: string;
  /** Publishes one event. Never rejects; waits at most `maxWaitMs`. A refused or lost event is logged in full. */
  record(ctx: AuditRequestContext, event: AuditInput): Promise<void>;
  /** A per-request collector; put it on the context as `audit` (the plugin looks for it there). */
  collector(ctx: AuditRequestContext): AuditCollector;
  /** Apollo plugin: reads `x-clinicult-api` into the request's collector, flushes it before the response is sent. */
  plugin(): ApolloServerPlugin<BaseContext>;
  /** Waits for events still being published (call on shutdown, before closing the bus and the database). */
  drain(): Promise<void>;
}

/**
 * Collects one request's medical reads so that the request emits one event per patient, not one per
 * field (nor per list item): `medicalRead(patient.id, 'allergies')` from each medical field's
 * resolver when it returns the value (not when the field is refused). The plugin flushes it in
 * `willSendResponse`, before the data leaves: `patient.read.medical` with the fields read, sorted
 * (and `details.visitIds`, sorted, when the fields belong to visits).
 */
export interface AuditCollector {
  /** The API of this request: set by the plugin from `x-clinicult-api`, default `graphql`. */
  api: AuditApi;
  /** Notes that this request returns `field` (or several) of `patientId`'s medical data, of `visitId` if given. */
  medicalRead(patientId: string, field: string | readonly string[], visitId?: string): void;
  /** Patients noted and not flushed yet. */
  readonly pending: number;
  /** Records one event per noted patient and forgets them. Never rejects. */
  flush(): Promise<void>;
}

export type AuditRefusal = { refused: string };

/** The clinic and actor of an event from the caller (pure; exported for tests). */
export function buildAuditRecord(
  caller: Caller,
  requestId: string,
  service: string,
  input: AuditInput,
  api: AuditApi,
  now: Date = new Date(),
): AuditRecord | AuditRefusal {
  if (!input.action || typeof input.action !== 'string') return { refused: 'an audit event needs an action' };
  let actorId: string;
  let actorKind: AuditActorKind;
  let clinicId: string | null;
  const details = input.details ?? null;
  // A person acting on their own membership (accepting or declining an invitation) acts in the
  // clinic it concerns, whatever clinic their token is for: the event belongs to that clinic.
  if (caller.kind !== 'service' && caller.kind !== 'anonymous' && caller.kind !== 'client' && input.clinicId && input.targetUserId === caller.userId) {
    if (caller.kind !== 'staff' || input.clinicId !== caller.clinicId) {
      return {
        ...baseRecord(input, api, service, requestId, now),
        clinicId: input.clinicId,
        actorId: caller.userId,
        actorKind: caller.kind === 'operator' ? 'operator' : 'staff',
        details,
      };
    }
  }
  switch (caller.kind) {
    case 'staff':
      if (input.clinicId && input.clinicId !== caller.clinicId) {
        return { refused: `staff of clinic ${caller.clinicId} cannot record an event for clinic ${input.clinicId}` };
      }
      actorId = caller.userId;
      actorKind = 'staff';
      clinicId = caller.clinicId;
      break;
    case 'operator':
      // an operator acting on a clinic (its first ADMIN's invitation) is in that clinic's trail
      actorId = caller.userId;
      actorKind = 'operator';
      clinicId = input.clinicId ?? null;
      break;
    case 'service':
      if (caller.clinicId && input.clinicId && input.clinicId !== caller.clinicId) {
        return { refused: `service call for clinic ${caller.clinicId} cannot record an event for clinic ${input.clinicId}` };
      }
      actorId = `service:${caller.service}`;
      actorKind = 'service';
      clinicId = caller.clinicId ?? input.clinicId ?? null;
      if (!clinicId) return { refused: 'a service must name the clinic it acts for (x-clinicult-clinic-id)' };
      break;
    case 'client':
      // a clinic's registered client (a display): the trail names the client, in its clinic only
      if (input.clinicId && input.clinicId !== caller.clinicId) {
        return { refused: `client of clinic ${caller.clinicId} cannot record an event for clinic ${input.clinicId}` };
      }
      actorId = clientSubject(caller.clientId);
      actorKind = 'client';
      clinicId = caller.clinicId;
      break;
    default:
      // anonymous, or a user who has not chosen a clinic: no clinic to file the event under
      return { refused: `a ${caller.kind} caller acts in no clinic` };
  }
  return { ...baseRecord(input, api, service, requestId, now), clinicId, actorId, actorKind, details };
}

function baseRecord(input: AuditInput, api: AuditApi, service: string, requestId: string, now: Date) {
  return {
    id: randomUUID(),
    action: input.action,
    patientId: input.patientId ?? null,
    targetUserId: input.targetUserId ?? null,
    fields: input.fields ? [...input.fields] : null,
    api: input.api ?? api,
    service,
    requestId,
    occurredAt: now.toISOString(),
  };
}

/** `fhir` or `graphql` from the header value; anything else is `graphql`. */
export function auditApiFromHeader(value: string | null | undefined): AuditApi {
  return value?.trim().toLowerCase() === 'fhir' ? 'fhir' : 'graphql';
}

// A global brand rather than instanceof: a second copy of the kit (sources beside dist) still matches.
const COLLECTOR = Symbol.for('clinicult.audit.collector');

class RequestAudit implements AuditCollector {
  readonly [COLLECTOR] = true;
  api: AuditApi = 'graphql';
  private readonly reads = new Map<string, { fields: Set<string>; visitIds: Set<string> }>();

  constructor(
    private readonly trail: AuditTrail,
    private readonly ctx: AuditRequestContext,
  ) {}

  medicalRead(patientId: string, field: string | readonly string[], visitId?: string): void {
    let read = this.reads.get(patientId);
    if (!read) {
      read = { fields: new Set(), visitIds: new Set() };
      this.reads.set(patientId, read);
    }
    for (const name of typeof field === 'string' ? [field] : field) read.fields.add(name);
    if (visitId) read.visitIds.add(visitId);
  }

  get pending(): number {
    return this.reads.size;
  }

  async flush(): Promise<void> {
    if (this.reads.size === 0) return;
    const reads = [...this.reads];
    this.reads.clear();
    await Promise.all(
      reads.map(([patientId, { fields, visitIds }]) =>
        this.trail.record(this.ctx, {
          action: MEDICAL_READ_ACTION,
          patientId,
          fields: [...fields].sort(),
          api: this.api,
          ...(visitIds.size > 0 ? { details: { visitIds: [...visitIds].sort() } } : {}),
        }),
      ),
    );
  }
}

/** The request's collector if the service put one on the context (as `audit`). */
export function auditCollectorOf(ctx: unknown): AuditCollector | undefined {
  const candidate = (ctx as { audit?: unknown } | null)?.audit;
  return typeof candidate === 'object' && candidate !== null && COLLECTOR in candidate ? (candidate as unknown as AuditCollector) : undefined;
}

export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const { bus, service, logger } = options;
  const stream = options.stream ?? AUDIT_STREAM;
  const maxWaitMs = options.maxWaitMs ?? 1000;
  if (!service) throw new Error('createAuditTrail needs the service name');
  const inFlight = new Set<Promise<void>>();

  async function target(record: AuditRecord, log: EventsLogger): Promise<Pick<EventBus, 'publish'>> {
    if (!options.route) return bus;
    try {
      return (await options.route(record.clinicId)) ?? bus;
    } catch (err) {
      // the clinic's cluster cannot be told now: the event waits on this service's own stream rather than being lost
      log.error({ err, audit: { id: record.id, action: record.action, clinicId: record.clinicId } }, 'audit event: the clinic’s cluster is unknown; kept on the platform stream');
      return bus;
    }
  }

  async function publish(record: AuditRecord, log: EventsLogger): Promise<void> {
    try {
      await (await target(record, log)).publish(stream, { id: record.id, type: AUDIT_EVENT_TYPE, clinicId: record.clinicId, payload: record });
      log.debug({ audit: { id: record.id, action: record.action } }, 'audit event published');
    } catch (err) {
      // Redis and the outbox both failed: the log line keeps the whole event so it can be replayed.
      log.error({ err, audit: record }, `audit event lost: ${record.action}`);
    }
  }

  const trail: AuditTrail = {
    stream,
    async record(ctx, event) {
      const log: EventsLogger = ctx.logger ?? logger;
      let built: AuditRecord | AuditRefusal;
      try {
        built = buildAuditRecord(ctx.caller, ctx.requestId, service, event, auditCollectorOf(ctx)?.api ?? 'graphql');
      } catch (err) {
        log.error({ err, audit: event }, 'audit event could not be built');
        return;
      }
      if ('refused' in built) {
        log.error({ audit: event, reason: built.refused }, `audit event refused: ${built.refused}`);
        return;
      }
      const publishing = publish(built, log);
      inFlight.add(publishing);
      void publishing.finally(() => inFlight.delete(publishing));
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, maxWaitMs);
        timer.unref();
      });
      await Promise.race([publishing, waited]);
      clearTimeout(timer);
    },
    collector(ctx) {
      return new RequestAudit(trail, ctx);
    },
    plugin() {
      return {
        async requestDidStart({ request, contextValue }) {
          const collector = auditCollectorOf(contextValue);
          // only the gateway says which API a request came through (the edge hop, edge.ts)
          const header = (contextValue as Partial<BaseContext>).viaEdge ? request.http?.headers.get(AUDIT_API_HEADER) : undefined;
          if (collector && header) collector.api = auditApiFromHeader(header);
          return {
            async willSendResponse({ contextValue: ctx }) {
              await auditCollectorOf(ctx)?.flush();
            },
          };
        },
      };
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
  return trail;
}
