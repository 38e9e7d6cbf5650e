import { requireClinicId, requireNamedClinic, requireStaff, type AuditCollector, type AuditTrail, type BaseContext } from '@clinicult/kit';
import type { VisitsDb } from './db.js';
import { addAddendum } from './domain/addenda.js';
import { archiveVisit } from './domain/archive.js';
import { clinicVisitCounts } from './domain/counts.js';
import type { HistoryCache } from './domain/history-cache.js';
import { historyPage, listVisits, type HistoricVisitRow, type VisitPage } from './domain/history.js';
import { averageMinutesInState, diagnosisSuggestions, reportRange, topDiagnoses, visitsPerDay, visitsPerDoctor, type ReportDay, type ReportRange } from './domain/reports.js';
import { primeVisits, type Loaders } from './loaders.js';
import { VISIT_MEDICAL_FIELDS } from './permissions.js';
import type { ArchivedTemplate } from './domain/snapshot.js';
import type { Resolvers } from './__generated__/resolvers.js';
import { DateScalar, DateTimeScalar, JSONScalar, optionalUserRef, userRef } from '@clinicult/kit';

/** What visits' resolvers get: the kit's base context + data layer, loaders and the request's audit collector. */
export interface VisitsContext extends BaseContext {
  db: VisitsDb;
  /** the same database with time-limited statements, for text searches (kit: searchDatabase) */
  searchDb: VisitsDb | null;
  searchTimeoutMs: number;
  /** the caller's clinic (staff, or a service naming one); null: nothing is visible */
  clinicId: string | null;
  loaders: Loaders;
  /** medical reads of this request, flushed as `patient.read.medical` events before the response */
  audit: AuditCollector;
  /** the service's audit trail: writes (addenda) are recorded through it */
  auditTrail: AuditTrail;
  /** the per-patient history cache in Redis (first pages, visit counts); null: MySQL only */
  historyCache: HistoryCache | null;
}


/** Medical fields: the shield has allowed them; the read is noted for the request's audit event. */
function medicalField(field: (typeof VISIT_MEDICAL_FIELDS)[number]) {
  return (visit: HistoricVisitRow, _args: unknown, ctx: VisitsContext) => {
    ctx.audit.medicalRead(visit.patientId, `visit.${field}`, visit.id);
    return visit[field];
  };
}

/** A page of visits: its rows become loader entries (a later `visit(id)` costs nothing). */
function connection(ctx: VisitsContext, page: VisitPage): VisitPage {
  primeVisits(ctx.loaders, page.edges.map((e) => e.node), page.addenda);
  return page;
}

/** A report being resolved: its range, and the per-day counts shared by perDay, cancellations and the timelines. */
export interface ReportParent extends ReportRange {
  days?: Promise<ReportDay[]>;
}

const reportDays = (report: ReportParent, ctx: VisitsContext) => (report.days ??= visitsPerDay(ctx.db, report));

/** Thin resolvers: parse arguments, call the domain layer; rules are in permissions.ts. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  JSON: JSONScalar,
  Query: {
    visit: (_, { id }, ctx) => ctx.loaders.visits.load(id),
    visits: async (_, args, ctx) => {
      const page = connection(ctx, await listVisits(ctx.db, requireClinicId(ctx.caller), args, { searchDb: ctx.searchDb, searchTimeoutMs: ctx.searchTimeoutMs }));
      // a search by diagnosis or text reveals clinical facts about every patient it lists
      const medical = (['diagnosisCode', 'text'] as const).filter((f) => args.filter?.[f] != null).map((f) => `visits.filter.${f}`);
      if (medical.length > 0) for (const { node } of page.edges) ctx.audit.medicalRead(node.patientId, medical, node.id);
      return page;
    },
    visitReport: (_, { from, to }, ctx): ReportParent =>
      reportRange(requireClinicId(ctx.caller), from, to),
    diagnosisSuggestions: (_, args, ctx) => diagnosisSuggestions(ctx.db, requireClinicId(ctx.caller), args),
    // internal (clinic-counts): the clinic named by the call, counts only
    clinicVisitCounts: (_, { since }, ctx) => clinicVisitCounts(ctx.db, requireNamedClinic(ctx.caller), since),
  },
  Mutation: {
    archiveVisit: (_, { snapshot }, ctx) => archiveVisit(ctx.db, ctx.caller, snapshot, ctx.historyCache),
    addVisitAddendum: async (_, args, ctx) => {
      const staff = requireStaff(ctx.caller);
      const { visit, addendum } = await addAddendum(ctx.db, staff.clinicId, staff.userId, args);
      // a write of patient medical data (never its text in the trail)
      await ctx.auditTrail.record(ctx, {
        action: 'visit.addVisitAddendum',
        patientId: visit.patientId,
        fields: ['addenda'],
        details: { visitId: visit.id, addendumId: addendum.id },
      });
      // the cached first page carries its visits' addenda
      await ctx.historyCache?.invalidate(staff.clinicId, visit.patientId);
      primeVisits(ctx.loaders, [visit]);
      return visit;
    },
  },
  HistoricVisitConnection: {
    totalCount: (page) => page.count(),
  },
  Patient: {
    __resolveReference: (ref) => ({ id: ref.id }),
    history: async (patient, args, ctx) =>
      connection(ctx, await historyPage(ctx.db, requireClinicId(ctx.caller), patient.id, args, ctx.historyCache)),
    visitCount: (patient, _args, ctx) => ctx.loaders.visitCounts.load(patient.id),
  },
  HistoricVisit: {
    __resolveReference: (ref, ctx) => ctx.loaders.visits.load(ref.id),
    patient: (visit) => ({ __typename: 'Patient', id: visit.patientId }),
    checkedInBy: (visit) => userRef(visit.checkedInBy),
    nurse: (visit) => optionalUserRef(visit.nurseId),
    doctor: (visit) => optionalUserRef(visit.doctorId),
    finishedBy: (visit) => userRef(visit.finishedBy),
    ...Object.fromEntries(VISIT_MEDICAL_FIELDS.map((f) => [f, medicalField(f)])),
    // medical (ruled like the fields above): one query for every visit of the request
    addenda: (visit, _args, ctx) => {
      ctx.audit.medicalRead(visit.patientId, 'visit.addenda', visit.id);
      return ctx.loaders.addenda.load(visit.id);
    },
    // the template version the visit was started with (null when the snapshot had none)
    template: (visit) => (visit.template as ArchivedTemplate | null) ?? null,
  },
  VisitAddendum: {
    by: (addendum) => userRef(addendum.byUserId),
    at: (addendum) => addendum.createdAt,
  },
  VisitReport: {
    perDay: (report, _args, ctx) => reportDays(report, ctx),
    cancellations: async (report, _args, ctx) =>
      (await reportDays(report, ctx)).reduce((sum, d) => sum + d.cancelled, 0),
    perDoctor: async (report, _args, ctx) =>
      (await visitsPerDoctor(ctx.db, report)).map((d) => ({ doctor: userRef(d.doctorId), finished: d.finished })),
    averageMinutesInState: async (report, _args, ctx) =>
      averageMinutesInState(ctx.db, report, await reportDays(report, ctx)),
    // an aggregate: no patient is named, so no patient.read.medical event (the shield demands medical:read)
    topDiagnoses: (report, { limit }, ctx) => topDiagnoses(ctx.db, report, limit),
  },
  HistoricVitals: {
    recordedBy: (vitals) => optionalUserRef(vitals.recordedBy),
  },
  HistoricTimelineEntry: {
    by: (entry) => userRef(entry.by),
  },
};
