import type { Bundle, BundleEntry, OperationOutcome, Reference, Resource } from '@medplum/fhirtypes';
import { allows } from './access.js';
import type { FhirContext } from './context.js';
import { FhirError, operationOutcome } from './outcome.js';
import { MAX_COUNT, parseSearch, type SearchRequest } from './params.js';
import type { ResourceHandler } from './registry.js';

/**
 * `_include` and `_revinclude` (FHIR R4 3.1.1.5.6): the resources a search's matches refer to, or
 * that refer to them, in the same Bundle (`search.mode: include`). An included resource is read
 * exactly as a read of it would be — the caller's permission or scope for its type first (left out
 * with a warning otherwise), the clinic's data only — so an include shows nothing a read would not.
 */

/** A search's include: `Encounter:patient` → the element holding the reference and the type it names. */
export interface IncludeDef {
  /** dotted path from the resource, through arrays, to a Reference (e.g. participant.individual) */
  path: string;
  target: string;
}

/** How many distinct resources one page may include (each is a read). */
const MAX_INCLUDED = MAX_COUNT;

function referencesAt(value: unknown, path: readonly string[]): Reference[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v) => referencesAt(v, path));
  if (path.length === 0) return typeof (value as Reference).reference === 'string' ? [value as Reference] : [];
  return referencesAt((value as Record<string, unknown>)[path[0]!], path.slice(1));
}

export interface IncludeOptions {
  byType: ReadonlyMap<string, ResourceHandler>;
}

/** Adds the Bundle's includes and revincludes (and a warning for what was left out). */
export async function addIncludes(ctx: FhirContext, handler: ResourceHandler, search: SearchRequest, bundle: Bundle, options: IncludeOptions): Promise<Bundle> {
  if (!search.include.length && !search.revinclude.length) return bundle;
  const matches = (bundle.entry ?? []).filter((e) => e.search?.mode === 'match' && e.resource).map((e) => e.resource!);
  const seen = new Set((bundle.entry ?? []).filter((e) => e.resource).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`));
  const included: Resource[] = [];
  const warnings: string[] = [];
  const add = (resource: Resource) => {
    const key = `${resource.resourceType}/${resource.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    included.push(resource);
  };

  // _include: read each distinct resource the matches point to
  const wanted: Array<{ type: string; id: string }> = [];
  for (const name of search.include) {
    const def = handler.includes![name]!;
    if (!allows(ctx.who.caller, def.target, 'read')) {
      warnings.push(`_include=${name}: left out, this token may not read ${def.target}.`);
      continue;
    }
    for (const resource of matches) {
      for (const ref of referencesAt(resource, def.path.split('.'))) {
        const [type, id] = ref.reference!.split('/').slice(-2);
        if (type === def.target && id && !wanted.some((w) => w.type === type && w.id === id)) wanted.push({ type, id });
      }
    }
  }
  if (wanted.length > MAX_INCLUDED) warnings.push(`_include: ${wanted.length - MAX_INCLUDED} referenced resources were left out (at most ${MAX_INCLUDED} per page; ask a smaller _count).`);
  await Promise.all(
    wanted.slice(0, MAX_INCLUDED).map(async ({ type, id }) => {
      try {
        const { body } = await options.byType.get(type)!.read(ctx, id);
        if (body) add(body);
      } catch (error) {
        // gone, or of another clinic: a read would not show it either
        if (!(error instanceof FhirError && error.status === 404)) throw error;
      }
    }),
  );

  // _revinclude: search each type that refers to the matches, by the matches' ids
  for (const name of search.revinclude) {
    const [type, param] = name.split(':') as [string, string];
    const source = options.byType.get(type)!;
    if (!allows(ctx.who.caller, type, 'search')) {
      warnings.push(`_revinclude=${name}: left out, this token may not search ${type}.`);
      continue;
    }
    for (const resource of matches) {
      const query = new URLSearchParams({ [param]: `${handler.type}/${resource.id}`, _count: String(MAX_COUNT) });
      const { body } = await source.search(ctx, parseSearch(query, source.params, { lenient: false }));
      const found = body as Bundle;
      for (const entry of found.entry ?? []) if (entry.search?.mode === 'match' && entry.resource) add(entry.resource);
      if (found.link?.some((l) => l.relation === 'next')) warnings.push(`_revinclude=${name}: only the first ${MAX_COUNT} for ${handler.type}/${resource.id}; search ${type}?${param}=${resource.id} for the rest.`);
    }
  }

  const entry: BundleEntry[] = [
    ...(bundle.entry ?? []).filter((e) => e.search?.mode !== 'outcome'),
    ...included.map((resource) => ({ fullUrl: `${ctx.base}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'include' as const } })),
  ];
  const outcome = (bundle.entry ?? []).find((e) => e.search?.mode === 'outcome')?.resource as OperationOutcome | undefined;
  if (warnings.length || outcome) {
    const issue = [...(outcome?.issue ?? []), ...operationOutcome(warnings.map((text) => ({ severity: 'warning', code: 'suppressed', text }))).issue];
    entry.push({ resource: { resourceType: 'OperationOutcome', issue }, search: { mode: 'outcome' } });
  }
  return { ...bundle, entry };
}
