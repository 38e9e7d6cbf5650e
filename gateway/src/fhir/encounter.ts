import type { Encounter } from '@medplum/fhirtypes';
import { decodeCursor, encodeCursor, pageInMemory, searchset } from './bundle.js';
import { clinicOf, gql, type FhirContext, type FhirResult } from './context.js';
import { ENCOUNTER_STATUS, toEncounter } from './mappers.js';
import { badRequest, notFound } from './outcome.js';
import { dateRange, inRange, referenceId, single, type ParamTable, type SearchRequest } from './params.js';
import { currentFields, fromCurrent, fromHistoric, historicFields, loadPatientVisits, loadVisit, type Visit } from './visits.js';

export const ENCOUNTER_PARAMS: ParamTable = {
  patient: { type: 'reference', documentation: 'The patient (Patient/id or id).' },
  subject: { type: 'reference', documentation: 'The same as patient.' },
  date: {
    type: 'date',
    documentation:
      'Prefixes eq, ge, gt, le, lt. With patient/subject: the check-in time (period.start). Without: the check-in time of current visits and the finishing time (period.end) of archived ones.',
  },
  status: { type: 'token', documentation: 'arrived | triaged | in-progress | finished | cancelled.' },
};
export const ENCOUNTER_SORTS = ['date', '-date'];

export async function readEncounter(ctx: FhirContext, id: string): Promise<FhirResult> {
  const clinicId = clinicOf(ctx);
  const visit = await loadVisit(ctx, id, false);
  if (!visit) throw notFound('Encounter', id);
  return { body: toEncounter(visit, clinicId) };
}

const STATUSES = new Set(Object.values(ENCOUNTER_STATUS));

function patientOf(search: SearchRequest): string | undefined {
  const patient = single(search, 'patient');
  const subject = single(search, 'subject');
  if (patient && subject && referenceId(patient, 'Patient', 'patient') !== referenceId(subject, 'Patient', 'subject')) return '\u0000none';
  const value = patient ?? subject;
  return value === undefined ? undefined : referenceId(value, 'Patient', patient ? 'patient' : 'subject');
}

export async function searchEncounters(ctx: FhirContext, search: SearchRequest): Promise<FhirResult> {
  const clinicId = clinicOf(ctx);
  const status = single(search, 'status');
  if (status !== undefined && !STATUSES.has(status as Encounter['status'])) {
    throw badRequest(`status: one of ${[...STATUSES].join(', ')}.`, ['status']);
  }
  const range = dateRange(search.params.get('date'), 'date');
  const patientId = patientOf(search);
  const matches = (v: Visit, date: string | undefined) =>
    (status === undefined || ENCOUNTER_STATUS[v.state] === status) && inRange(range, date);

  if (patientId !== undefined) {
    const visits = patientId === '\u0000none' ? [] : ((await loadPatientVisits(ctx, patientId, false)) ?? []);
    const found = visits.filter((v) => matches(v, v.start));
    const { page, next, total } = pageInMemory(found, (v) => [v.start, v.id], search, search.sort !== 'date');
    return { body: searchset(ctx.base, 'Encounter', search, { resources: page.map((v) => toEncounter(v, clinicId)), total, next }) };
  }
  if (search.sort === 'date') throw badRequest('_sort=date (oldest first) needs patient or subject; the clinic-wide search is newest first.', ['_sort']);
  return searchClinicEncounters(ctx, search, clinicId, { status, range, matches });
}

type Phase = { c: [string, string] } | { h: string | null };
const isPhase = (v: unknown): v is Phase =>
  typeof v === 'object' && v !== null && (('c' in v && Array.isArray((v as { c: unknown }).c)) || ('h' in v && (typeof (v as { h: unknown }).h === 'string' || (v as { h: unknown }).h === null)));

/**
 * The clinic's encounters newest first: the current visits (the queue, by check-in) and then the
 * archive (by finishing time) through the visits connection's own cursor, so paging is stable
 * without reading the whole archive.
 */
async function searchClinicEncounters(
  ctx: FhirContext,
  search: SearchRequest,
  clinicId: string,
  { status, range, matches }: { status?: string; range?: { from?: number; to?: number }; matches: (v: Visit, date?: string) => boolean },
): Promise<FhirResult> {
  const phase = decodeCursor(search.cursor, isPhase) ?? { c: ['\uffff', ''] as [string, string] };
  const wantsCurrent = status === undefined || ['arrived', 'triaged', 'in-progress'].includes(status);
  const wantsHistoric = status === undefined || status === 'finished' || status === 'cancelled';
  const filter: Record<string, unknown> = {};
  if (status === 'finished') filter.status = 'FINISHED';
  if (status === 'cancelled') filter.status = 'CANCELLED';
  if (range?.from !== undefined) filter.from = new Date(range.from).toISOString();
  if (range?.to !== undefined) filter.to = new Date(range.to).toISOString();

  const data = await gql(
    ctx,
    `query FhirEncounters($withCurrent: Boolean!, $withHistoric: Boolean!, $filter: VisitFilter, $queueSize: Int!, $first: Int, $after: String) {
      queue(first: $queueSize) @include(if: $withCurrent) { ${currentFields(false)} }
      visits(filter: $filter, first: $first, after: $after) @include(if: $withHistoric) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${historicFields(false)} } }
      }
    }`,
    {
      withCurrent: wantsCurrent,
      withHistoric: wantsHistoric,
      queueSize: 500,
      filter,
      first: Math.max(1, Math.min(search.count, 100)),
      after: 'h' in phase ? phase.h : null,
    },
  );
  const current: Visit[] = wantsCurrent
    ? (data.queue as unknown[]).map(fromCurrent).filter((v) => matches(v, v.start)).sort((a, b) => (a.start === b.start ? (a.id < b.id ? 1 : -1) : a.start < b.start ? 1 : -1))
    : [];
  const historicTotal = wantsHistoric ? (data.visits.totalCount as number) : 0;
  const total = current.length + historicTotal;
  const resources: Encounter[] = [];
  let next: string | undefined;
  if ('c' in phase) {
    const [start, id] = phase.c;
    const rest = current.filter((v) => v.start < start || (v.start === start && v.id < id));
    const page = rest.slice(0, search.count);
    resources.push(...page.map((v) => toEncounter(v, clinicId)));
    if (rest.length > page.length) next = encodeCursor({ c: [page.at(-1)!.start, page.at(-1)!.id] });
    else if (page.length < search.count && wantsHistoric) {
      // the rest of this page from the start of the archive (asked for with after: null above)
      const edges = data.visits.edges as Array<{ cursor: string; node: unknown }>;
      const taken = edges.slice(0, search.count - page.length);
      resources.push(...taken.map((e) => toEncounter(fromHistoric(e.node), clinicId)));
      if (taken.length < edges.length || (taken.length > 0 && data.visits.pageInfo.hasNextPage)) next = encodeCursor({ h: taken.at(-1)!.cursor });
    } else if (wantsHistoric && historicTotal > 0) next = encodeCursor({ h: null });
  } else if (wantsHistoric) {
    resources.push(...data.visits.edges.slice(0, search.count).map((e: any) => toEncounter(fromHistoric(e.node), clinicId)));
    if (data.visits.pageInfo.hasNextPage) next = encodeCursor({ h: data.visits.pageInfo.endCursor });
  }
  return { body: searchset(ctx.base, 'Encounter', search, { resources: search.count === 0 ? [] : resources, total, next: search.count === 0 ? undefined : next }) };
}
