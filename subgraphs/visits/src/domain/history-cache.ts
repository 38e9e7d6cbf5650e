import type { Redis } from 'ioredis';
import type { Logger } from '@clinicult/kit';
import type { HistoricVisitRow, VisitAddendumRow } from '../db.js';
import { DEFAULT_PAGE_SIZE } from './cursor.js';

/**
 * The per-patient history cache (DESIGN.md, "Data, cache, events"): the first page of a patient's
 * history (newest first, `DEFAULT_PAGE_SIZE` rows plus whether more follow) and the patient's visit
 * count, as JSON under `visits:history:<clinicId>:<patientId>` with a TTL. Redis may lose it at any
 * time (volatile-lru evicts keys with a TTL: every key written here has one, the generation too);
 * every error here is logged and answered as a miss, so MySQL answers instead.
 *
 * Rows are kept exactly as Prisma returns them (dates revived on the way out), so the field
 * resolvers — and the medical-read audit they record — see the same rows as from MySQL.
 */
export interface CachedHistory {
  /** up to DEFAULT_PAGE_SIZE rows, newest first */
  rows: HistoricVisitRow[];
  /** more rows exist after `rows` */
  hasNextPage: boolean;
  /** COUNT(*) of the patient's visits (no range) */
  count: number;
  /** the addenda of `rows` (visit id → oldest first; visits without any left out) */
  addenda: Record<string, VisitAddendumRow[]>;
}

export interface HistoryCache {
  /** The cached entry, or null (a miss, or Redis unavailable). */
  get(clinicId: string, patientId: string): Promise<CachedHistory | null>;
  /** Entries of many patients in one round trip (null per miss); all null when Redis fails. */
  getMany(clinicId: string, patientIds: readonly string[]): Promise<Array<CachedHistory | null>>;
  /**
   * Reads the entry with `load` (MySQL) and stores it, unless the patient's history was invalidated
   * while `load` ran (then the possibly stale value is returned but not stored).
   */
  fill(clinicId: string, patientId: string, load: () => Promise<CachedHistory>): Promise<CachedHistory>;
  /** Drops the patient's entry (after a new visit is archived or an addendum added). Never throws. */
  invalidate(clinicId: string, patientId: string): Promise<void>;
  key(clinicId: string, patientId: string): string;
}

export const HISTORY_CACHE_PREFIX = 'visits:history';
/** The page size of the cached first page. */
export const CACHED_PAGE_SIZE = DEFAULT_PAGE_SIZE;

const DATE_FIELDS = ['checkedInAt', 'finishedAt', 'localDate', 'archivedAt'] as const;
/** 2: with the rows' addenda (entries of format 1 read as misses) */
const FORMAT = 2;

interface StoredEntry {
  v: number;
  rows: Array<Record<string, unknown>>;
  hasNextPage: boolean;
  count: number;
  addenda: Record<string, Array<Record<string, unknown>>>;
}

function revive(raw: string | null): CachedHistory | null {
  if (raw === null) return null;
  const entry = JSON.parse(raw) as StoredEntry;
  if (entry?.v !== FORMAT || !Array.isArray(entry.rows) || typeof entry.count !== 'number' || typeof entry.addenda !== 'object' || entry.addenda === null) return null;
  const rows = entry.rows.map((row) => {
    const out: Record<string, unknown> = { ...row };
    for (const field of DATE_FIELDS) if (typeof out[field] === 'string') out[field] = new Date(out[field]);
    return out as unknown as HistoricVisitRow;
  });
  const addenda: Record<string, VisitAddendumRow[]> = {};
  for (const [visitId, list] of Object.entries(entry.addenda)) {
    addenda[visitId] = list.map((a) => ({ ...a, createdAt: new Date(a.createdAt as string) }) as unknown as VisitAddendumRow);
  }
  return { rows, hasNextPage: entry.hasNextPage === true, count: entry.count, addenda };
}

/**
 * Stores the entry only if the patient's generation (bumped by every invalidation) is still the one
 * read before MySQL was: a fill racing an archive never puts the old page back.
 * KEYS[1] the entry, KEYS[2] the generation; ARGV[1] JSON, ARGV[2] TTL, ARGV[3] generation seen ('' = none).
 */
const STORE_IF_CURRENT = `
local gen = redis.call('GET', KEYS[2])
if (gen or '') ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
return 1`;

export function createHistoryCache(options: { redis: Redis; ttlSeconds: number; logger: Logger; prefix?: string }): HistoryCache {
  const { redis, ttlSeconds, logger } = options;
  const prefix = options.prefix ?? HISTORY_CACHE_PREFIX;
  const key = (clinicId: string, patientId: string) => `${prefix}:${clinicId}:${patientId}`;
  const genKey = (clinicId: string, patientId: string) => `${prefix}:gen:${clinicId}:${patientId}`;
  // ioredis rejects at once while disconnected (the kit's client has no offline queue)
  const usable = () => redis.status === 'ready';
  const failed = (op: string, error: unknown, clinicId: string, patientId?: string) =>
    logger.warn({ err: error, op, clinicId, patientId }, 'history cache: Redis unavailable, using MySQL');

  return {
    key,
    async get(clinicId, patientId) {
      if (!usable()) return null;
      try {
        return revive(await redis.get(key(clinicId, patientId)));
      } catch (error) {
        failed('get', error, clinicId, patientId);
        return null;
      }
    },
    async getMany(clinicId, patientIds) {
      if (patientIds.length === 0 || !usable()) return patientIds.map(() => null);
      try {
        const raws = await redis.mget(...patientIds.map((id) => key(clinicId, id)));
        return raws.map((raw) => revive(raw));
      } catch (error) {
        failed('mget', error, clinicId);
        return patientIds.map(() => null);
      }
    },
    async fill(clinicId, patientId, load) {
      let generation: string | null | undefined;
      if (usable()) {
        try {
          generation = await redis.get(genKey(clinicId, patientId));
        } catch (error) {
          failed('generation', error, clinicId, patientId);
        }
      }
      const entry = await load();
      if (generation === undefined) return entry; // Redis was down: do not store
      try {
        const stored: StoredEntry = {
          v: FORMAT,
          rows: entry.rows as unknown as Array<Record<string, unknown>>,
          hasNextPage: entry.hasNextPage,
          count: entry.count,
          addenda: entry.addenda as unknown as StoredEntry['addenda'],
        };
        await redis.eval(STORE_IF_CURRENT, 2, key(clinicId, patientId), genKey(clinicId, patientId), JSON.stringify(stored), String(ttlSeconds), generation ?? '');
      } catch (error) {
        failed('set', error, clinicId, patientId);
      }
      return entry;
    },
    async invalidate(clinicId, patientId) {
      try {
        const gen = genKey(clinicId, patientId);
        // the generation outlives any entry stored before it changed
        await redis.multi().del(key(clinicId, patientId)).incr(gen).expire(gen, ttlSeconds * 2).exec();
      } catch (error) {
        // the entry may now be stale until its TTL: say so loudly
        logger.error({ err: error, clinicId, patientId }, 'history cache: could not invalidate after a change');
      }
    },
  };
}
