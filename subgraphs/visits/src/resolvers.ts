import { requireClinicId, requireNamedClinic, requireStaff, type AuditCollector, type AuditTrail, type BaseContext, type SubgraphOptions } from '@clinicult/kit';
import type { VisitsDb } from './db.js';
import { addAddendum, type VisitAddendumRow } from './domain/addenda.js';
import { archiveVisit } from './domain/archive.js';
import { clinicVisitCounts } from './domain/counts.js';
import type { HistoryCache } from './domain/history-cache.js';
import { historyPage, listVisits, type HistoricVisitRow, type HistoryArgs, type VisitFilter, type VisitPage } from './domain/history.js';
import { averageMinutesInState, reportRange, topDiagnoses, visitsPerDay, visitsPerDoctor, type ReportDay, type ReportRange } from './domain/reports.js';
import { primeVisits, type Loaders } from './loaders.js';
import { VISIT_MEDICAL_FIELDS } from './permissions.js';
import { DateScalar, DateTimeScalar, JSONScalar } from '@clinicult/kit';

/** What visits' resolvers get: the kit's base context + data layer, loaders and the request's audit collector. */
export interface VisitsContext extends BaseContext {
  db: VisitsDb;
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

const user = (id: string | null | undefined) => (id ? { __typename: 'User', id } : null);

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
interface ReportParent extends ReportRange {
  days?: Promise<ReportDay[]>;
}

const reportDays = (report: ReportParent, ctx: VisitsContext) => (report.days ??= visitsPerDay(ctx.db, report));

/** Thin resolvers: parse arguments, call the domain layer; rules are in permissions.ts. */
export const resolvers: SubgraphOptions<VisitsContext>['resolvers'] = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  JSON: JSONScalar,
  Query: {
    visit: (_: unknown, { id }: { id: string }, ctx: VisitsContext) => ctx.loaders.visits.load(id),
    visits: async (_: unknown, args: { filter?: VisitFilter | null; first?: number | null; after?: string | null }, ctx: VisitsContext) => {
      const page = connection(ctx, await listVisits(ctx.db, requireClinicId(ctx.caller), args));
      // a search by diagnosis or text reveals clinical facts about every patient it lists
      const medical = (['diagnosisCode', 'text'] as const).filter((f) => args.filter?.[f] != null).map((f) => `visits.filter.${f}`);
      if (medical.length > 0) for (const { node } of page.edges) ctx.audit.medicalRead(node.patientId, medical, node.id);
      return page;
    },
    visitReport: (_: unknown, { from, to }: { from: string; to: string }, ctx: VisitsContext): ReportParent =>
      reportRange(requireClinicId(ctx.caller), from, to),
    // internal (clinic-counts): the clinic named by the call, counts only
    clinicVisitCounts: (_: unknown, { since }: { since: Date }, ctx: VisitsContext) => clinicVisitCounts(ctx.db, requireNamedClinic(ctx.caller), since),
  },
  Mutation: {
    archiveVisit: (_: unknown, { snapshot }: { snapshot: unknown }, ctx: VisitsContext) => archiveVisit(ctx.db, ctx.caller, snapshot, ctx.historyCache),
    addVisitAddendum: async (_: unknown, args: { visitId: string; text: string }, ctx: VisitsContext) => {
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
    totalCount: (page: VisitPage) => page.count(),
  },
  Patient: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    history: async (patient: { id: string }, args: HistoryArgs, ctx: VisitsContext) =>
      connection(ctx, await historyPage(ctx.db, requireClinicId(ctx.caller), patient.id, args, ctx.historyCache)),
    visitCount: (patient: { id: string }, _: unknown, ctx: VisitsContext) => ctx.loaders.visitCounts.load(patient.id),
  },
  HistoricVisit: {
    __resolveReference: (ref: { id: string }, ctx: VisitsContext) => ctx.loaders.visits.load(ref.id),
    patient: (visit: HistoricVisitRow) => ({ __typename: 'Patient', id: visit.patientId }),
    checkedInBy: (visit: HistoricVisitRow) => user(visit.checkedInBy),
    nurse: (visit: HistoricVisitRow) => user(visit.nurseId),
    doctor: (visit: HistoricVisitRow) => user(visit.doctorId),
    finishedBy: (visit: HistoricVisitRow) => user(visit.finishedBy),
    ...Object.fromEntries(VISIT_MEDICAL_FIELDS.map((f) => [f, medicalField(f)])),
    // medical (ruled like the fields above): one query for every visit of the request
    addenda: (visit: HistoricVisitRow, _: unknown, ctx: VisitsContext) => {
      ctx.audit.medicalRead(visit.patientId, 'visit.addenda', visit.id);
      return ctx.loaders.addenda.load(visit.id);
    },
    // the template version the visit was started with (null when the snapshot had none)
    template: (visit: HistoricVisitRow) => visit.template ?? null,
  },
  VisitAddendum: {
    by: (addendum: VisitAddendumRow) => user(addendum.byUserId),
    at: (addendum: VisitAddendumRow) => addendum.createdAt,
  },
  VisitReport: {
    perDay: (report: ReportParent, _: unknown, ctx: VisitsContext) => reportDays(report, ctx),
    cancellations: async (report: ReportParent, _: unknown, ctx: VisitsContext) =>
      (await reportDays(report, ctx)).reduce((sum, d) => sum + d.cancelled, 0),
    perDoctor: async (report: ReportParent, _: unknown, ctx: VisitsContext) =>
      (await visitsPerDoctor(ctx.db, report)).map((d) => ({ doctor: user(d.doctorId), finished: d.finished })),
    averageMinutesInState: async (report: ReportParent, _: unknown, ctx: VisitsContext) =>
      averageMinutesInState(ctx.db, report, await reportDays(report, ctx)),
    // an aggregate: no patient is named, so no patient.read.medical event (the shield demands medical:read)
    topDiagnoses: (report: ReportParent, { limit }: { limit?: number | null }, ctx: VisitsContext) => topDiagnoses(ctx.db, report, limit),
  },
  HistoricVitals: {
    recordedBy: (vitals: { recordedBy?: string | null }) => user(vitals.recordedBy),
  },
  HistoricTimelineEntry: {
    by: (entry: { by: string }) => user(entry.by),
  },
};
