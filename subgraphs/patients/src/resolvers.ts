import { requireClinicId, requireNamedClinic, requireStaff, type AuditCollector, type BaseContext } from '@clinicult/kit';
import type { PatientsDb } from './db.js';
import type { AuditContext } from './domain/audit.js';
import { isStale, minutesBetween } from './domain/clinic-time.js';
import {
  identifiersOf,
  listPatients,
  registerPatient,
  updatePatient,
  type Actor,
  type PatientWriter,
  type PatientRow,
} from './domain/patients.js';
import { clinicPatientCounts } from './domain/counts.js';
import { allowedOperations } from './domain/visit-state.js';
import { readVisitTemplate } from './domain/visit-template.js';
import { waitingRoom } from './domain/waiting-room.js';
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
  setVisitPriority,
  startConsultation,
  startTriage,
  timelineOf,
  vitalsOf,
  type VisitDeps,
  type VisitRow,
} from './domain/visits.js';
import { primePatients, primeVisits, wholeVisit, type Loaders } from './loaders.js';
import { PATIENT_MEDICAL_FIELDS, VISIT_MEDICAL_FIELDS } from './permissions.js';
import { patientVersions } from './domain/patient-versions.js';
import type { Resolvers } from './__generated__/resolvers.js';
import { DateScalar, DateTimeScalar, JSONScalar, optionalUserRef, userRef } from '@clinicult/kit';

export type PatientsDeps = VisitDeps & {
  /** the same database with time-limited statements, for free-text searches (kit: searchDatabase) */
  searchDb: PatientsDb | null;
  searchTimeoutMs: number;
};

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

/** Who writes a patient: staff, or a FHIR API client holding patient:write (no user: the trail names it). */
function writerOf(ctx: PatientsContext): PatientWriter {
  const { caller } = ctx;
  if (caller.kind === 'client') return { clinicId: caller.clinicId, userId: null, permissions: caller.permissions };
  return actorOf(ctx);
}


/** Medical fields: the shield has allowed them; the read is noted for the request's audit event. */
function medicalPatientField(field: (typeof PATIENT_MEDICAL_FIELDS)[number]) {
  return (patient: PatientRow, _args: unknown, ctx: PatientsContext) => {
    ctx.audit.medicalRead(patient.id, field);
    return patient[field];
  };
}

function medicalVisitField(field: (typeof VISIT_MEDICAL_FIELDS)[number]) {
  return async (row: VisitRow, _args: unknown, ctx: PatientsContext) => {
    const visit = await wholeVisit(ctx.loaders, row);
    ctx.audit.medicalRead(visit.patientId, `visit.${field}`, visit.id);
    return field === 'vitals' ? vitalsOf(visit) : visit[field];
  };
}

/** Thin resolvers: parse arguments, call the domain layer; rules are in permissions.ts. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  JSON: JSONScalar,
  Query: {
    patient: (_, { id }, ctx) => ctx.loaders.patients.load(id),
    patients: async (_, args, ctx) => {
      const page = await listPatients(ctx.deps.db, requireClinicId(ctx.caller), args, { searchDb: ctx.deps.searchDb, searchTimeoutMs: ctx.deps.searchTimeoutMs });
      primePatients(ctx.loaders, page.edges.map((e) => e.node));
      return page;
    },
    currentVisit: (_, { id }, ctx) => ctx.loaders.visits.load(id),
    queue: async (_, args, ctx) => {
      const rows = await listQueue(ctx.deps.db, requireClinicId(ctx.caller), args);
      primeVisits(ctx.loaders, rows);
      return rows;
    },
    waitingRoom: (_, __, ctx) => waitingRoom(ctx.deps.db, requireClinicId(ctx.caller)),
    queueSize: (_, args, ctx) =>
      queueSize(ctx.deps.db, requireClinicId(ctx.caller), args.states),
    // internal (clinic-counts): the clinic named by the call, counts only
    clinicPatientCounts: (_, __, ctx) => clinicPatientCounts(ctx.deps.db, requireNamedClinic(ctx.caller)),
  },
  Mutation: {
    registerPatient: (_, { input }, ctx) =>
      registerPatient(ctx.deps.db, writerOf(ctx), ctx, input),
    updatePatient: (_, args, ctx) =>
      updatePatient(ctx.deps.db, writerOf(ctx), ctx, args.id, args.input, args.expectedVersion),
    checkIn: (_, args, ctx) =>
      checkIn(ctx.deps, actorOf(ctx), ctx, { ...args, requestId: ctx.requestId }),
    setVisitPriority: (_, args, ctx) => setVisitPriority(ctx.deps, actorOf(ctx), ctx, args),
    startTriage: (_, args, ctx) => startTriage(ctx.deps, actorOf(ctx), ctx, args),
    recordVitals: (_, args, ctx) =>
      recordVitals(ctx.deps, actorOf(ctx), ctx, args),
    recordIntake: (_, args, ctx) =>
      recordIntake(ctx.deps, actorOf(ctx), ctx, args),
    sendToDoctor: (_, args, ctx) => sendToDoctor(ctx.deps, actorOf(ctx), ctx, args),
    startConsultation: (_, args, ctx) => startConsultation(ctx.deps, actorOf(ctx), ctx, args),
    recordConsultation: (_, args, ctx) =>
      recordConsultation(ctx.deps, actorOf(ctx), ctx, args),
    completeConsultation: (_, args, ctx) =>
      completeConsultation(ctx.deps, actorOf(ctx), ctx, args),
    finishVisit: (_, args, ctx) => finishVisit(ctx.deps, actorOf(ctx), ctx, args),
    cancelVisit: (_, args, ctx) =>
      cancelVisit(ctx.deps, actorOf(ctx), ctx, args),
  },
  Patient: {
    __resolveReference: (ref, ctx) => ctx.loaders.patients.load(ref.id),
    identifiers: (patient) => identifiersOf(patient),
    ...Object.fromEntries(PATIENT_MEDICAL_FIELDS.map((f) => [f, medicalPatientField(f)])),
    currentVisit: (patient, _args, ctx) => ctx.loaders.visitsByPatient.load(patient.id),
    versions: (patient, args, ctx) => patientVersions(ctx.deps.db, patient, { first: args.first ?? 20, version: args.version }),
  },
  CurrentVisit: {
    __resolveReference: (ref, ctx) => ctx.loaders.visits.load(ref.id),
    // a visit's patient is in the same database and clinic (a foreign key keeps it there)
    patient: async (visit, _args, ctx) => (await ctx.loaders.patients.load(visit.patientId))!,
    checkedInBy: (visit) => userRef(visit.checkedInBy),
    nurse: (visit) => optionalUserRef(visit.nurseId),
    doctor: (visit) => optionalUserRef(visit.doctorId),
    template: async (visit, _args, ctx) => readVisitTemplate((await wholeVisit(ctx.loaders, visit)).template),
    ...Object.fromEntries(VISIT_MEDICAL_FIELDS.map((f) => [f, medicalVisitField(f)])),
    timeline: async (visit, _args, ctx) => timelineOf(await wholeVisit(ctx.loaders, visit)),
    stale: async (visit, _args, ctx) => isStale(visit.checkedInAt, await ctx.clinicTimeZone()),
    waitingSince: (visit) => visit.stateChangedAt,
    minutesInState: (visit) => minutesBetween(visit.stateChangedAt),
    allowedTransitions: (visit, _args, ctx) =>
      ctx.caller.kind === 'staff' ? allowedOperations(visit.state, ctx.caller.permissions) : [],
  },
  Vitals: {
    recordedBy: (vitals) => userRef(vitals.recordedBy),
  },
  TimelineEntry: {
    by: (entry) => userRef(entry.by),
  },
};
