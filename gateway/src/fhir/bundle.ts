import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { badRequest, operationOutcome } from './outcome.js';
import type { SearchRequest } from './params.js';

/** One page of a search, before it becomes a Bundle. */
export interface SearchPage {
  resources: Resource[];
  total: number;
  /** the cursor of the next page; undefined on the last */
  next?: string;
  /** extra resources (search.mode include), e.g. $everything's */
  included?: Resource[];
  /** warnings to report in an OperationOutcome entry (search.mode outcome) */
  warnings?: string[];
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, valid: (value: unknown) => value is T): T | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!valid(value)) throw badRequest('_cursor: not a cursor of this search; follow the Bundle\'s next link.', ['_cursor']);
  return value;
}

function query(pairs: Array<[string, string]>): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** A searchset Bundle with total, self and next links (the next link carries the cursor). */
export function searchset(base: string, path: string, search: SearchRequest, page: SearchPage): Bundle {
  const pairs: Array<[string, string]> = [...search.used, ['_count', String(search.count)]];
  const link: BundleLink[] = [
    { relation: 'self', url: `${base}/${path}?${query(search.cursor ? [...pairs, ['_cursor', search.cursor]] : pairs)}` },
  ];
  if (page.next !== undefined) link.push({ relation: 'next', url: `${base}/${path}?${query([...pairs, ['_cursor', page.next]])}` });
  const entry: BundleEntry[] = page.resources.map((resource) => ({
    fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode: 'match' },
  }));
  for (const resource of page.included ?? []) {
    entry.push({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'include' } });
  }
  const warnings = [
    ...(search.ignored.length ? [`Ignored unknown search parameters (Prefer: handling=lenient): ${search.ignored.join(', ')}.`] : []),
    ...(page.warnings ?? []),
  ];
  if (warnings.length) {
    entry.push({
      resource: operationOutcome(warnings.map((text) => ({ severity: 'warning', code: 'not-supported', text }))),
      search: { mode: 'outcome' },
    });
  }
  return { resourceType: 'Bundle', type: 'searchset', total: page.total, link, entry };
}

/**
 * Pages a list held in memory (a patient's visits and what derives from them) with a keyset cursor:
 * the next page starts after the last key returned, so an item added elsewhere in the list never
 * repeats or hides one of a later page.
 */
export function pageInMemory<T>(
  items: readonly T[],
  key: (item: T) => [string, string],
  search: SearchRequest,
  descending: boolean,
): { page: T[]; next?: string; total: number } {
  const compare = (a: [string, string], b: [string, string]) => {
    const order = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
    return descending ? -order : order;
  };
  const sorted = [...items].sort((a, b) => compare(key(a), key(b)));
  const after = decodeCursor(search.cursor, (v): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string'));
  const rest = after ? sorted.filter((item) => compare(key(item), after) > 0) : sorted;
  const page = rest.slice(0, search.count);
  const last = page.at(-1);
  return {
    page,
    total: sorted.length,
    next: rest.length > page.length && last !== undefined ? encodeCursor(key(last)) : undefined,
  };
}
