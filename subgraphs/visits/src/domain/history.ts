import { isStatementTimeout } from '@clinicult/db';
import { badInput, escapeLike, searchTooBroad } from '@clinicult/kit';
import { Prisma, type HistoricVisitRow, type HistoricVisitStatus, type VisitAddendumRow, type VisitsDb } from '../db.js';
import { addendaByVisit } from './addenda.js';
import { decodeCursor, encodeCursor, pageSize, type VisitKey } from './cursor.js';
import { CACHED_PAGE_SIZE, type CachedHistory, type HistoryCache } from './history-cache.js';
import { textSearchQuery } from './search.js';
import { normalizeCode } from './snapshot.js';

export type { HistoricVisitRow };

/**
 * Reads of historic visits. Every function takes the caller's clinic and puts it in every WHERE
 * (another clinic's visits do not exist here). Lists are keyset-paginated in the order
 * `finishedAt DESC, id DESC` on indexes that start with clinicId — never OFFSET — so a page costs
 * the same at 10k or 10M rows.
 */

export interface VisitPage {
  edges: Array<{ cursor: string; node: HistoricVisitRow }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** COUNT(*) of the whole list, run only when `totalCount` is asked for */
  count(): Promise<number>;
  /** the rows' addenda when already known (a cached first page): visit id → oldest first */
  addenda?: Record<string, VisitAddendumRow[]>;
}

export interface HistoryArgs {
  first?: number | null;
  after?: string | null;
  /** finishedAt >= from */
  from?: Date | null;
  /** finishedAt < to */
  to?: Date | null;
}

function checkRange(from: Date | null | undefined, to: Date | null | undefined, prefix = ''): void {
  if (from && to && from.getTime() >= to.getTime()) {
    throw badInput(`${prefix}from: must be before ${prefix}to (from is inclusive, to exclusive).`, [`${prefix}from`]);
  }
}

function page(rows: HistoricVisitRow[], size: number, count: () => Promise<number>, hasNextPage = rows.length > size): VisitPage {
  const edges = rows.slice(0, size).map((node) => ({ cursor: encodeCursor(node), node }));
  let counted: Promise<number> | undefined;
  return {
    edges,
    pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    count: () => (counted ??= count()),
  };
}

/**
 * The keys of one page of a patient's history: an index-only range scan of
 * (clinicId, patientId, finishedAt, id), newest first, `take` rows after the cursor. Exported so a
 * test can EXPLAIN exactly what runs.
 */
export function historyKeysQuery(
  clinicId: string,
  patientId: string,
  options: { take: number; after?: VisitKey | null; from?: Date | null; to?: Date | null },
): Prisma.Sql {
  const where = [Prisma.sql`clinicId = ${clinicId}`, Prisma.sql`patientId = ${patientId}`];
  if (options.from) where.push(Prisma.sql`finishedAt >= ${options.from}`);
  if (options.to) where.push(Prisma.sql`finishedAt < ${options.to}`);
  const after = options.after;
  if (after) where.push(Prisma.sql`(finishedAt < ${after.finishedAt} OR (finishedAt = ${after.finishedAt} AND id < ${after.id}))`);
  return Prisma.sql`SELECT id FROM HistoricVisit WHERE ${Prisma.join(where, ' AND ')} ORDER BY finishedAt DESC, id DESC LIMIT ${options.take}`;
}

/**
 * One page of a patient's history (`Patient.history`), newest first. The one entry point for it:
 * with a cache, a first page (no cursor, no range, at most the default size) comes from Redis when
 * present, else from MySQL and is stored (see history-cache.ts). Cached rows are the rows MySQL
 * gives, so the field resolvers rule and audit them the same way.
 */
export async function historyPage(
  db: VisitsDb,
  clinicId: string,
  patientId: string,
  args: HistoryArgs = {},
  cache?: HistoryCache | null,
): Promise<VisitPage> {
  const size = pageSize(args.first);
  checkRange(args.from, args.to);
  if (cache && !args.after && !args.from && !args.to && size <= CACHED_PAGE_SIZE) {
    const entry = (await cache.get(clinicId, patientId)) ?? (await cache.fill(clinicId, patientId, () => loadFirstPage(db, clinicId, patientId)));
    const count = Promise.resolve(entry.count);
    return { ...page(entry.rows, size, () => count, entry.rows.length > size || entry.hasNextPage), addenda: entry.addenda };
  }
  const after = args.after ? decodeCursor(args.after) : null;
  return page(await historyRows(db, clinicId, patientId, { take: size + 1, after, from: args.from, to: args.to }), size, () =>
    db.historicVisit.count({ where: { clinicId, patientId, finishedAt: range(args.from, args.to) } }),
  );
}

/** What the cache keeps for a patient: the default first page, its addenda and the visit count, from MySQL. */
export async function loadFirstPage(db: VisitsDb, clinicId: string, patientId: string): Promise<CachedHistory> {
  const rows = await historyRows(db, clinicId, patientId, { take: CACHED_PAGE_SIZE + 1 });
  const pageRows = rows.slice(0, CACHED_PAGE_SIZE);
  const [count, lists] = await Promise.all([
    rows.length <= CACHED_PAGE_SIZE ? rows.length : db.historicVisit.count({ where: { clinicId, patientId } }),
    addendaByVisit(db, clinicId, pageRows.map((r) => r.id)),
  ]);
  const addenda: Record<string, VisitAddendumRow[]> = {};
  pageRows.forEach((row, i) => {
    if (lists[i]!.length > 0) addenda[row.id] = lists[i]!;
  });
  return { rows: pageRows, hasNextPage: rows.length > CACHED_PAGE_SIZE, count, addenda };
}

/** Warms a patient's cached first page (the `visit.checked_in` handler): MySQL, then Redis. */
export async function warmHistory(db: VisitsDb, cache: HistoryCache, clinicId: string, patientId: string): Promise<void> {
  await cache.fill(clinicId, patientId, () => loadFirstPage(db, clinicId, patientId));
}

/**
 * Two cheap queries: the page's keys from the covering index, then those rows by primary key.
 */
async function historyRows(
  db: VisitsDb,
  clinicId: string,
  patientId: string,
  options: { take: number; after?: VisitKey | null; from?: Date | null; to?: Date | null },
): Promise<HistoricVisitRow[]> {
  const keys = await db.$queryRaw<Array<{ id: string }>>(historyKeysQuery(clinicId, patientId, options));
  const ids = keys.map((k) => k.id);
  const rows = ids.length === 0 ? [] : await db.historicVisit.findMany({ where: { clinicId, id: { in: ids } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is HistoricVisitRow => r !== undefined);
}

function range(from: Date | null | undefined, to: Date | null | undefined): Prisma.DateTimeFilter | undefined {
  if (!from && !to) return undefined;
  return { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) };
}

export interface VisitFilter {
  patientId?: string | null;
  doctorId?: string | null;
  from?: Date | null;
  to?: Date | null;
  status?: HistoricVisitStatus | null;
  diagnosisCode?: string | null;
  text?: string | null;
}

/** The filter fields that reveal clinical facts (they need clinicult:medical:read). */
export const MEDICAL_FILTERS = ['diagnosisCode', 'text'] as const;

export function filterWhere(clinicId: string, filter: VisitFilter | null | undefined): Prisma.HistoricVisitWhereInput {
  const and: Prisma.HistoricVisitWhereInput[] = [];
  if (filter?.patientId != null) and.push({ patientId: filter.patientId });
  if (filter?.doctorId != null) and.push({ doctorId: filter.doctorId });
  if (filter?.status != null) and.push({ status: filter.status });
  checkRange(filter?.from, filter?.to, 'filter.');
  const finishedAt = range(filter?.from, filter?.to);
  if (finishedAt) and.push({ finishedAt });
  if (filter?.diagnosisCode != null) {
    const code = normalizeCode(filter.diagnosisCode);
    if (!/^[A-Z0-9.]{1,16}$/.test(code)) {
      throw badInput('filter.diagnosisCode: an ICD-10 code or its beginning, e.g. J06.9 or J06.', ['filter.diagnosisCode']);
    }
    // the VisitDiagnosis index (clinicId, code, finishedAt); a prefix finds the codes below it
    and.push({ diagnosisCodes: { some: { clinicId, code: { startsWith: escapeLike(code) } } } });
  }
  if (filter?.text != null) {
    // one MATCH (searchText) AGAINST ('+word* …' IN BOOLEAN MODE) on the FULLTEXT index; clinicId and
    // the other filters are checked on its matches (see search.ts for the words it keeps)
    and.push({ searchText: { search: textSearchQuery(filter.text) } });
  }
  return and.length > 0 ? { clinicId, AND: and } : { clinicId };
}

/** Rows after the cursor in the order finishedAt DESC, id DESC. */
function afterWhere(key: VisitKey): Prisma.HistoricVisitWhereInput {
  return { OR: [{ finishedAt: { lt: key.finishedAt } }, { finishedAt: key.finishedAt, id: { lt: key.id } }] };
}

export const VISIT_ORDER: Prisma.HistoricVisitOrderByWithRelationInput[] = [{ finishedAt: 'desc' }, { id: 'desc' }];

/**
 * `visits(filter, first, after)`: the clinic's visits, newest first. A text search runs on
 * `searchDb` (statements stop after SEARCH_TIMEOUT_MS): a word in most of a large clinic's visits
 * would otherwise scan for many seconds; it is answered with BAD_USER_INPUT on `filter.text`.
 */
export async function listVisits(
  db: VisitsDb,
  clinicId: string,
  args: { filter?: VisitFilter | null; first?: number | null; after?: string | null },
  options: { searchDb?: VisitsDb | null; searchTimeoutMs?: number } = {},
): Promise<VisitPage> {
  const size = pageSize(args.first);
  const where = filterWhere(clinicId, args.filter);
  const after = args.after ? decodeCursor(args.after) : null;
  const text = args.filter?.text ?? null;
  const reader = text !== null && options.searchDb ? options.searchDb : db;
  const bounded = <T>(query: Promise<T>): Promise<T> =>
    text === null ? query : query.catch((error: unknown) => Promise.reject(isStatementTimeout(error) ? tooManyVisits(text, options.searchTimeoutMs) : error));
  const rows = await bounded(reader.historicVisit.findMany({
    where: after ? { AND: [where, afterWhere(after)] } : where,
    orderBy: VISIT_ORDER,
    take: size + 1,
  }));
  return page(rows, size, () => bounded(reader.historicVisit.count({ where })));
}

function tooManyVisits(text: string, limitMs?: number) {
  return searchTooBroad('filter.text', `the search for "${text.slice(0, 60)}" matches too many visits`, limitMs, 'Add a word, a patient, a doctor or a date range (from, to).');
}

/** Entity references: one query for all ids, in the order asked; other clinics' visits are null. */
export async function visitsByIds(db: VisitsDb, clinicId: string | null, ids: readonly string[]): Promise<Array<HistoricVisitRow | null>> {
  if (clinicId === null) return ids.map(() => null);
  const rows = await db.historicVisit.findMany({ where: { clinicId, id: { in: [...ids] } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** `Patient.visitCount` for many patients: one GROUP BY on the (clinicId, patientId, …) index. */
export async function visitCounts(db: VisitsDb, clinicId: string | null, patientIds: readonly string[]): Promise<number[]> {
  if (clinicId === null) return patientIds.map(() => 0);
  const groups = await db.historicVisit.groupBy({ by: ['patientId'], where: { clinicId, patientId: { in: [...patientIds] } }, _count: { _all: true } });
  const byPatient = new Map(groups.map((g) => [g.patientId, g._count._all]));
  return patientIds.map((id) => byPatient.get(id) ?? 0);
}
