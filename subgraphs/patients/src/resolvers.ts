import { requireClinicId, requireNamedClinic, requireStaff, type AuditCollector, type BaseContext, type SubgraphOptions } from '@clinicult/kit';
import type { AuditContext } from './domain/audit.js';
import { isStale, minutesBetween } from './domain/clinic-time.js';
import {
  identifiersOf,
  listPatients,
  registerPatient,
  updatePatient,
  type Actor,
  type ListPatientsArgs,
  type PatientRow,
} from './domain/patients.js';
import { clinicPatientCounts } from './domain/counts.js';
import { allowedOperations, type VisitState } from './domain/visit-state.js';
import { readVisitTemplate } from './templates.js';
import {
  cancelVisit,
  checkIn,
  completeConsultation,
  finishVisit,
  listQueue,
  queueSize,
  recordConsultation,
  recordIntake,
  recordVitals,
  sendToDoctor,
  startConsultation,
  startTriage,
  timelineOf,
  vitalsOf,
  type StoredVitals,
  type TimelineEntry,
  type VisitDeps,
  type VisitRow,
} from './domain/visits.js';
import { primePatients, primeVisits, type Loaders } from './loaders.js';
import { PATIENT_MEDICAL_FIELDS, VISIT_MEDICAL_FIELDS } from './permissions.js';
import { DateScalar, DateTimeScalar, JSONScalar } from '@clinicult/kit';

export type PatientsDeps = VisitDeps;

/**
 * What patients' resolvers get: the kit's base context + data layer, loaders and the audit trail
 * (`auditTrail` for writes, through the domain's `recordAudit`; `audit`, the request's collector of
 * medical reads, flushed by the trail's plugin before the response is sent).
 */
export interface PatientsContext extends BaseContext, AuditContext {
  deps: PatientsDeps;
  /** the caller's clinic (staff, or a service naming one); null: nothing is visible */
  clinicId: string | null;
  loaders: Loaders;
  audit: AuditCollector;
  /** the clinic's time zone, asked once per request (admin, cached in memory) */
  clinicTimeZone(): Promise<string>;
}

/** The staff member behind a mutation (the shield has let only staff with the permission through). */
function actorOf(ctx: PatientsContext): Actor {
  const staff = requireStaff(ctx.caller);
  return { clinicId: staff.clinicId, userId: staff.userId, permissions: staff.permissions };
}

const user = (id: string | null) => (id ? { __typename: 'User', id } : null);

// Argument shapes, by hand from schema/patients.graphql.
type VisitArgs = { visitId: string; expectedVersion?: number | null };

/** Medical fields: the shield has allowed them; the read is noted for the request's audit event. */
function medicalPatientField(field: (typeof PATIENT_MEDICAL_FIELDS)[number]) {
  return (patient: PatientRow, _args: unknown, ctx: PatientsContext) => {
    ctx.audit.medicalRead(patient.id, field);
    return patient[field];
  };
}

function medicalVisitField(field: (typeof VISIT_MEDICAL_FIELDS)[number]) {
  return (visit: VisitRow, _args: unknown, ctx: PatientsContext) => {
    ctx.audit.medicalRead(visit.patientId, `visit.${field}`, visit.id);
    return field === 'vitals' ? vitalsOf(visit) : visit[field];
  };
}

/** Thin resolvers: parse arguments, call the domain layer; rules are in permissions.ts. */
export const resolvers: SubgraphOptions<PatientsContext>['resolvers'] = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  JSON: JSONScalar,
  Query: {
    patient: (_: unknown, { id }: { id: string }, ctx: PatientsContext) => ctx.loaders.patients.load(id),
    patients: async (_: unknown, args: ListPatientsArgs, ctx: PatientsContext) => {
      const page = await listPatients(ctx.deps.db, requireClinicId(ctx.caller), args);
      primePatients(ctx.loaders, page.edges.map((e) => e.node));
      return page;
    },
    currentVisit: (_: unknown, { id }: { id: string }, ctx: PatientsContext) => ctx.loaders.visits.load(id),
    queue: async (_: unknown, args: { states?: VisitState[] | null; first?: number | null }, ctx: PatientsContext) => {
      const rows = await listQueue(ctx.deps.db, requireClinicId(ctx.caller), args);
      primeVisits(ctx.loaders, rows);
      return rows;
    },
    queueSize: (_: unknown, args: { states?: VisitState[] | null }, ctx: PatientsContext) =>
      queueSize(ctx.deps.db, requireClinicId(ctx.caller), args.states),
    // internal (clinic-counts): the clinic named by the call, counts only
    clinicPatientCounts: (_: unknown, __: unknown, ctx: PatientsContext) => clinicPatientCounts(ctx.deps.db, requireNamedClinic(ctx.caller)),
  },
  Mutation: {
    registerPatient: (_: unknown, { input }: { input: unknown }, ctx: PatientsContext) =>
      registerPatient(ctx.deps.db, actorOf(ctx), ctx, input),
    updatePatient: (_: unknown, args: { id: string; input: unknown; expectedVersion?: number | null }, ctx: PatientsContext) =>
      updatePatient(ctx.deps.db, actorOf(ctx), ctx, args.id, args.input, args.expectedVersion),
    checkIn: (_: unknown, args: { patientId: string; reason: string; templateId?: string | null }, ctx: PatientsContext) =>
      checkIn(ctx.deps, actorOf(ctx), ctx, { ...args, requestId: ctx.requestId }),
    startTriage: (_: unknown, args: VisitArgs, ctx: PatientsContext) => startTriage(ctx.deps, actorOf(ctx), ctx, args),
    recordVitals: (_: unknown, args: VisitArgs & { vitals: unknown }, ctx: PatientsContext) =>
      recordVitals(ctx.deps, actorOf(ctx), ctx, args),
    recordIntake: (_: unknown, args: VisitArgs & { answers: unknown }, ctx: PatientsContext) =>
      recordIntake(ctx.deps, actorOf(ctx), ctx, args),
    sendToDoctor: (_: unknown, args: VisitArgs, ctx: PatientsContext) => sendToDoctor(ctx.deps, actorOf(ctx), ctx, args),
    startConsultation: (_: unknown, args: VisitArgs, ctx: PatientsContext) => startConsultation(ctx.deps, actorOf(ctx), ctx, args),
    recordConsultation: (_: unknown, args: VisitArgs & { input: unknown }, ctx: PatientsContext) =>
      recordConsultation(ctx.deps, actorOf(ctx), ctx, args),
    completeConsultation: (_: unknown, args: VisitArgs, ctx: PatientsContext) =>
      completeConsultation(ctx.deps, actorOf(ctx), ctx, args),
    finishVisit: (_: unknown, args: VisitArgs, ctx: PatientsContext) => finishVisit(ctx.deps, actorOf(ctx), ctx, args),
    cancelVisit: (_: unknown, args: VisitArgs & { reason?: string | null }, ctx: PatientsContext) =>
      cancelVisit(ctx.deps, actorOf(ctx), ctx, args),
  },
  Patient: {
    __resolveReference: (ref: { id: string }, ctx: PatientsContext) => ctx.loaders.patients.load(ref.id),
    identifiers: (patient: PatientRow) => identifiersOf(patient),
    ...Object.fromEntries(PATIENT_MEDICAL_FIELDS.map((f) => [f, medicalPatientField(f)])),
    currentVisit: (patient: PatientRow, _: unknown, ctx: PatientsContext) => ctx.loaders.visitsByPatient.load(patient.id),
  },
  CurrentVisit: {
    __resolveReference: (ref: { id: string }, ctx: PatientsContext) => ctx.loaders.visits.load(ref.id),
    patient: (visit: VisitRow, _: unknown, ctx: PatientsContext) => ctx.loaders.patients.load(visit.patientId),
    checkedInBy: (visit: VisitRow) => user(visit.checkedInBy),
    nurse: (visit: VisitRow) => user(visit.nurseId),
    doctor: (visit: VisitRow) => user(visit.doctorId),
    template: (visit: VisitRow) => readVisitTemplate(visit.template),
    ...Object.fromEntries(VISIT_MEDICAL_FIELDS.map((f) => [f, medicalVisitField(f)])),
    timeline: (visit: VisitRow) => timelineOf(visit),
    stale: async (visit: VisitRow, _: unknown, ctx: PatientsContext) => isStale(visit.checkedInAt, await ctx.clinicTimeZone()),
    waitingSince: (visit: VisitRow) => visit.stateChangedAt,
    minutesInState: (visit: VisitRow) => minutesBetween(visit.stateChangedAt),
    allowedTransitions: (visit: VisitRow, _: unknown, ctx: PatientsContext) =>
      ctx.caller.kind === 'staff' ? allowedOperations(visit.state, ctx.caller.permissions) : [],
  },
  Vitals: {
    recordedBy: (vitals: StoredVitals) => user(vitals.recordedBy),
  },
  TimelineEntry: {
    by: (entry: TimelineEntry) => user(entry.by),
  },
};
