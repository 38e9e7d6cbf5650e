import { badRequest } from './outcome.js';

/** A search parameter this facade implements (also what the CapabilityStatement lists). */
export interface ParamDef {
  type: 'token' | 'string' | 'date' | 'reference';
  documentation: string;
}
export type ParamTable = Record<string, ParamDef>;

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 100;

/** Parameters every search understands (result control), besides the resource's own. */
const CONTROL = new Set(['_count', '_sort', '_cursor', '_format', '_total', '_summary', '_elements', '_pretty', '_include', '_revinclude']);

export interface SearchRequest {
  /** the resource's own parameters, each with its values (a parameter repeated is AND) */
  params: Map<string, string[]>;
  count: number;
  cursor?: string;
  /** `date` or `-date` (or another key of the resource's sorts); undefined: the default order */
  sort?: string;
  /** `_include` values (`Encounter:patient`), checked against the resource's includes */
  include: string[];
  /** `_revinclude` values (`Encounter:patient` on a Patient search) */
  revinclude: string[];
  /** parameters ignored under `Prefer: handling=lenient` */
  ignored: string[];
  /** the parameters as used, for the self and next links (no _cursor) */
  used: Array<[string, string]>;
}

export function isLenient(prefer: string | undefined): boolean {
  return !!prefer && /(^|[;,\s])handling\s*=\s*lenient\b/i.test(prefer);
}

/**
 * Parses a search's query string against the resource's parameters. Unknown parameters (or
 * modifiers) are refused with 400 unless the client asked for `Prefer: handling=lenient`; then they
 * are ignored and reported (FHIR R4 3.1.1.5.4 "handling").
 */
export function parseSearch(
  query: URLSearchParams,
  table: ParamTable,
  options: { lenient: boolean; sorts?: readonly string[]; includes?: readonly string[]; revincludes?: readonly string[] },
): SearchRequest {
  const include: string[] = [];
  const revinclude: string[] = [];
  const params = new Map<string, string[]>();
  const ignored: string[] = [];
  const used: Array<[string, string]> = [];
  let count = DEFAULT_COUNT;
  let cursor: string | undefined;
  let sort: string | undefined;
  for (const [name, value] of query) {
    if (CONTROL.has(name)) {
      if (name === '_count') {
        if (!/^\d+$/.test(value)) throw badRequest(`_count: give a whole number from 0 to ${MAX_COUNT}.`, ['_count']);
        count = Math.min(Number(value), MAX_COUNT);
        continue;
      }
      if (name === '_cursor') {
        cursor = value;
        continue;
      }
      if (name === '_sort') {
        const sorts = options.sorts ?? [];
        if (!sorts.includes(value)) {
          const message = sorts.length
            ? `_sort: this search sorts by ${sorts.join(' or ')} only.`
            : '_sort: this search has one fixed order and takes no _sort.';
          if (options.lenient) {
            ignored.push(name);
            continue;
          }
          throw badRequest(message, ['_sort']);
        }
        sort = value;
        used.push([name, value]);
        continue;
      }
      if (name === '_include' || name === '_revinclude') {
        const allowed = (name === '_include' ? options.includes : options.revincludes) ?? [];
        if (!allowed.includes(value)) {
          if (options.lenient) {
            ignored.push(`${name}=${value}`);
            continue;
          }
          throw badRequest(
            `${name}=${value} is not supported here${allowed.length ? ` (this search takes ${allowed.join(', ')})` : ''}.`,
            [name],
          );
        }
        (name === '_include' ? include : revinclude).push(value);
        used.push([name, value]);
        continue;
      }
      if (name === '_summary' || name === '_elements') {
        // the answer's shape (shape.ts); kept in the self and next links
        used.push([name, value]);
        continue;
      }
      if (name === '_total') {
        // the total is always given (accurate); any requested mode is answered with it
        continue;
      }
      continue; // _format: content negotiation, already checked by the router
    }
    if (!Object.hasOwn(table, name)) {
      if (options.lenient) {
        ignored.push(name);
        continue;
      }
      throw badRequest(
        `Unknown search parameter "${name}". This search supports: ${Object.keys(table).join(', ') || 'no parameters'} ` +
          '(and _count, _sort where listed). Send "Prefer: handling=lenient" to have unknown parameters ignored.',
        [name],
      );
    }
    if (value === '') continue; // an empty parameter is ignored (FHIR R4 3.1.1.5.4)
    params.set(name, [...(params.get(name) ?? []), value]);
    used.push([name, value]);
  }
  return { params, count, cursor, sort, include, revinclude, ignored, used };
}

/** The single value of a parameter; a repeated one, or a comma list (OR), is refused. */
export function single(search: SearchRequest, name: string): string | undefined {
  const values = search.params.get(name);
  if (!values) return undefined;
  if (values.length > 1) throw badRequest(`${name}: give it once.`, [name]);
  const value = values[0]!;
  if (value.includes(',')) throw badRequest(`${name}: a list of values (a,b) is not supported for this parameter.`, [name]);
  return value;
}

/** `Patient/123`, `123` or `https://…/fhir/Patient/123` → `123` (checking the type when one is given). */
export function referenceId(value: string, type: string, name: string): string {
  const parts = value.split('?')[0]!.split('/').filter((p) => p !== '');
  const id = parts.at(-1) ?? '';
  const typed = parts.length >= 2 ? parts.at(-2) : undefined;
  if (typed !== undefined && typed !== type) throw badRequest(`${name}: a reference to a ${type} (${type}/id), not ${typed}.`, [name]);
  if (!isId(id)) throw badRequest(`${name}: "${value}" is not a reference to a ${type}.`, [name]);
  return id;
}

/** FHIR's id syntax. */
export function isId(value: string): boolean {
  return /^[A-Za-z0-9\-.]{1,64}$/.test(value);
}

/** `system|code`, `|code` (no system) or `code` (any system). */
export function token(value: string): { system?: string | null; code: string } {
  const bar = value.indexOf('|');
  if (bar < 0) return { code: value };
  return { system: bar === 0 ? null : value.slice(0, bar), code: value.slice(bar + 1) };
}

/** A half-open instant range [from, to); either end may be open. */
export interface DateRange {
  from?: number;
  to?: number;
}

const DATE_PATTERN =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The instants a FHIR date search value covers: `2024` is the whole year, `2024-03-05` the day,
 * a dateTime the second it names. Values without a time zone are read as UTC.
 */
export function dateSpan(value: string, name: string): { start: number; end: number } {
  const m = DATE_PATTERN.exec(value);
  if (!m) throw badRequest(`${name}: "${value}" is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime).`, [name]);
  const [, y, mo, d, h, mi, s, , zone] = m;
  const year = Number(y);
  if (mo === undefined) return { start: Date.UTC(year, 0, 1), end: Date.UTC(year + 1, 0, 1) };
  const month = Number(mo) - 1;
  if (month > 11) throw badRequest(`${name}: "${value}" has no such month.`, [name]);
  if (d === undefined) return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
  const day = Number(d);
  const start = Date.UTC(year, month, day);
  if (new Date(start).getUTCDate() !== day) throw badRequest(`${name}: "${value}" has no such day.`, [name]);
  if (h === undefined) return { start, end: Date.UTC(year, month, day + 1) };
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${zone ?? 'Z'}`;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) throw badRequest(`${name}: "${value}" is not a valid dateTime.`, [name]);
  return { start: at, end: at + (s === undefined ? 60_000 : 1000) };
}

/**
 * The date parameter's values (each `[prefix]date`, all must hold) as one range of instants the
 * resource's date must fall in. Supported prefixes: eq (default), ge, gt, le, lt.
 */
export function dateRange(values: readonly string[] | undefined, name: string): DateRange | undefined {
  if (!values?.length) return undefined;
  const range: DateRange = {};
  const narrowFrom = (v: number) => (range.from = range.from === undefined ? v : Math.max(range.from, v));
  const narrowTo = (v: number) => (range.to = range.to === undefined ? v : Math.min(range.to, v));
  for (const raw of values) {
    if (raw.includes(',')) throw badRequest(`${name}: a list of dates (a,b) is not supported.`, [name]);
    const prefix = /^[a-z]{2}/.test(raw) ? raw.slice(0, 2) : 'eq';
    const { start, end } = dateSpan(prefix === 'eq' && !raw.startsWith('eq') ? raw : raw.slice(2), name);
    switch (prefix) {
      case 'eq':
        narrowFrom(start);
        narrowTo(end);
        break;
      case 'ge':
        narrowFrom(start);
        break;
      case 'gt':
        narrowFrom(end);
        break;
      case 'le':
        narrowTo(end);
        break;
      case 'lt':
        narrowTo(start);
        break;
      default:
        throw badRequest(`${name}: the prefix "${prefix}" is not supported (eq, ge, gt, le, lt).`, [name]);
    }
  }
  return range;
}

export function inRange(range: DateRange | undefined, instant: string | number | undefined | null): boolean {
  if (!range) return true;
  if (instant === undefined || instant === null) return false;
  const at = typeof instant === 'number' ? instant : Date.parse(instant);
  return (range.from === undefined || at >= range.from) && (range.to === undefined || at < range.to);
}

/** A range of instants as inclusive calendar dates (birth dates): [from, to). */
export function dateBounds(range: DateRange): { from?: string; to?: string } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const DAY = 86_400_000;
  return {
    from: range.from === undefined ? undefined : day(Math.ceil(range.from / DAY) * DAY),
    to: range.to === undefined ? undefined : day(Math.ceil(range.to / DAY) * DAY - DAY),
  };
}
