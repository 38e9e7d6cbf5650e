import { and, can, forbidden, hasPermission, isAuthenticated, rule, serviceCan, SERVICE_CAPABILITIES, type CallerContext, type IRules } from '@clinicult/rbac';
import { MEDICAL_FILTERS, type VisitFilter } from './domain/history.js';

/**
 * Who may call what (graphql-shield; anything not listed is denied). Tenant rules — which clinic's
 * rows a caller sees — live in the domain layer, which puts the caller's clinic in every WHERE.
 *
 * - history (`visit`, `visits`, `Patient.history`, `Patient.visitCount`): clinicult:visits:read
 *   (every clinic role).
 * - medical fields of a visit, field by field, and the `diagnosisCode` / `text` filters (they reveal
 *   clinical facts): also clinicult:medical:read. OFFICE and ADMIN get the other fields with a
 *   FORBIDDEN error (and null) on each medical field; a medical filter without it is refused whole.
 * - `visitReport`: clinicult:report:read (ADMIN, DOCTOR, OFFICE); its `topDiagnoses` reveal clinical
 *   facts and also need clinicult:medical:read (null + FORBIDDEN beside the rest of the report).
 * - `archiveVisit` (internal): a service token with clinicult:service:visits-archive (patients' relay).
 * - `addVisitAddendum`: clinicult:visit:consult and clinicult:medical:write (a DOCTOR); `addenda` is a
 *   medical field like the others.
 */
export const VISITS_READ = 'clinicult:visits:read';
export const MEDICAL_READ = 'clinicult:medical:read';
export const REPORT_READ = 'clinicult:report:read';
export const VISIT_CONSULT = 'clinicult:visit:consult';
export const MEDICAL_WRITE = 'clinicult:medical:write';

const readVisits = can(VISITS_READ);
const readMedical = can(MEDICAL_READ);
const readVisitMedical = and(readVisits, readMedical);
const readReports = can(REPORT_READ);

/** The medical fields of a historic visit (DESIGN.md: vitals, notes, diagnoses, prescriptions, answers). */
export const VISIT_MEDICAL_FIELDS = ['vitals', 'intakeAnswers', 'notes', 'diagnoses', 'prescriptions', 'templateAnswers'] as const;

/** `visits(filter)`: the diagnosisCode and text filters need clinicult:medical:read; nothing is returned without it. */
const medicalFilters = rule('visits:medical-filters', { cache: 'strict' })((_p, args: { filter?: VisitFilter | null }, ctx: CallerContext) => {
  const used = MEDICAL_FILTERS.filter((f) => args.filter?.[f] != null);
  if (used.length === 0) return true;
  const { caller } = ctx;
  if (caller.kind === 'staff' && hasPermission(caller.permissions, MEDICAL_READ)) return true;
  return forbidden(`visits: the filter${used.length > 1 ? 's' : ''} ${used.map((f) => `filter.${f}`).join(', ')} reveal${used.length > 1 ? '' : 's'} clinical facts and need${used.length > 1 ? '' : 's'} ${MEDICAL_READ}.`);
});

export const rules: IRules = {
  Query: {
    visit: readVisits,
    visits: and(readVisits, medicalFilters),
    visitReport: readReports,
    // the codes a clinic gives are clinical information
    diagnosisSuggestions: readVisitMedical,
    // internal: admin's overview (counts, never rows), for the clinic named by the call
    clinicVisitCounts: serviceCan(SERVICE_CAPABILITIES.clinicCounts),
  },
  Mutation: {
    archiveVisit: serviceCan(SERVICE_CAPABILITIES.visitsArchive),
    addVisitAddendum: and(can(VISIT_CONSULT), can(MEDICAL_WRITE)),
  },
  // Reached through a ruled root field or `_entities` (which the kit rules): the type rules hold for both.
  DiagnosisSuggestion: readVisitMedical,
  HistoricVisit: {
    '*': readVisits,
    ...Object.fromEntries(VISIT_MEDICAL_FIELDS.map((f) => [f, readVisitMedical])),
    addenda: readVisitMedical,
  },
  Patient: { '*': readVisits },
  VisitReport: { '*': readReports, topDiagnoses: and(readReports, readMedical) },
  VisitReportDay: isAuthenticated,
  VisitReportDoctor: isAuthenticated,
  VisitStateMinutes: isAuthenticated,
  DiagnosisCount: isAuthenticated,
  HistoricVisitConnection: isAuthenticated,
  HistoricVisitEdge: isAuthenticated,
  PageInfo: isAuthenticated,
  HistoricVitals: isAuthenticated,
  HistoricDiagnosis: isAuthenticated,
  HistoricPrescription: isAuthenticated,
  HistoricTimelineEntry: isAuthenticated,
  VisitAddendum: isAuthenticated,
  TemplateVersion: isAuthenticated,
  TemplateField: isAuthenticated,
  ArchiveReceipt: isAuthenticated,
  VisitCounts: isAuthenticated,
  User: isAuthenticated,
};
