/**
 * SMART on FHIR system scopes (SMART App Launch 2.0, "scopes for requesting FHIR resources"), as
 * an API client of a clinic is granted them (issue 18, Backend Services). A scope names a resource
 * type (or `*`) and the interactions allowed on it: v2 letters `c r u d s` in that order
 * (`system/Patient.rs`), or the v1 words `read` (= rs), `write` (= cu: nothing is deleted here) and `*`. Only `system/`
 * scopes exist here: a backend client acts for its clinic, not for a patient or a signed-in user.
 *
 * Each resource maps onto the platform's permissions: a token's `permissions` are the union of its
 * scopes' permissions, so the subgraphs check a client exactly as they check staff; the FHIR facade
 * also checks the scope itself (a client with Patient.rs reads no Encounter, even where the
 * permissions overlap).
 */
export type SmartInteraction = 'c' | 'r' | 'u' | 'd' | 's';

/** What a client may sign its assertions with: SMART requires RS384 and ES384; EdDSA is what the platform's own services use. */
export const SMART_ASSERTION_ALGORITHMS: readonly string[] = ['RS384', 'ES384', 'RS256', 'ES256', 'EdDSA'];

interface SmartResource {
  /** what reading or searching it needs */
  read: readonly string[];
  /** what creating or updating it needs; absent: this server does not write it */
  write?: readonly string[];
  /** medical data: only someone who holds clinicult:medical:read in the clinic may grant it */
  medical: boolean;
}

const p = (resourceAction: string) => `clinicult:${resourceAction}`;
const MEDICAL_READ = ['patient:read', 'visit:read', 'visits:read', 'medical:read'].map(p);

export const SMART_RESOURCES: Readonly<Record<string, SmartResource>> = {
  Patient: { read: [p('patient:read')], write: [p('patient:write')], medical: false },
  Encounter: { read: ['patient:read', 'visit:read', 'visits:read'].map(p), medical: false },
  Observation: { read: MEDICAL_READ, medical: true },
  Condition: { read: MEDICAL_READ, medical: true },
  MedicationRequest: { read: MEDICAL_READ, medical: true },
  AllergyIntolerance: { read: MEDICAL_READ, medical: true },
  MedicationStatement: { read: MEDICAL_READ, medical: true },
  Practitioner: { read: [p('user:read')], medical: false },
  Organization: { read: [p('clinic:read')], medical: false },
};

export interface SmartScope {
  /** a resource type of SMART_RESOURCES, or `*` for all of them */
  resource: string;
  interactions: ReadonlySet<SmartInteraction>;
}

const V2_ORDER = 'cruds';
const SCOPE_PATTERN = /^system\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)$/;

export class SmartScopeError extends Error {}

/** A scope's meaning, or a SmartScopeError saying why it is not one this server grants. */
export function parseSmartScope(text: string): SmartScope {
  const match = SCOPE_PATTERN.exec(text);
  if (!match || match[2] === '') {
    throw new SmartScopeError(
      `${text} is not a system scope: write system/<Resource>.<interactions>, e.g. system/Patient.rs (SMART v2) or system/Patient.read (v1).`,
    );
  }
  const resource = match[1]!;
  if (resource !== '*' && !(resource in SMART_RESOURCES)) throw new SmartScopeError(`${text}: this server does not serve ${resource} (see /fhir/metadata).`);
  const word = match[2]!;
  // v1 words: `write` is cud and `*` cruds, of which this server does what it does (no deletes): a
  // server may grant less than asked; an explicit `d` letter is refused instead
  const letters = word === 'read' ? 'rs' : word === 'write' ? 'cu' : word === '*' ? 'crus' : word;
  const interactions = new Set(letters.split('') as SmartInteraction[]);
  if (interactions.has('d')) throw new SmartScopeError(`${text}: this server deletes nothing (leave out d).`);
  const writes = interactions.has('c') || interactions.has('u');
  if (writes && resource !== '*' && !SMART_RESOURCES[resource]!.write) {
    throw new SmartScopeError(`${text}: ${resource} is read-only here (leave out c and u).`);
  }
  return { resource, interactions };
}

/** The resource types a scope covers. */
function resourcesOf(scope: SmartScope): string[] {
  return scope.resource === '*' ? Object.keys(SMART_RESOURCES) : [scope.resource];
}

/** Whether granting these scopes hands out medical data (the grantor needs clinicult:medical:read). */
export function grantsMedical(scopes: readonly SmartScope[]): boolean {
  return scopes.some((s) => resourcesOf(s).some((r) => SMART_RESOURCES[r]!.medical));
}

/** The platform permissions a set of scopes carries (a token's `permissions`), sorted, no duplicates. */
export function permissionsForScopes(scopes: readonly SmartScope[]): string[] {
  const all = new Set<string>();
  for (const scope of scopes) {
    for (const resource of resourcesOf(scope)) {
      const table = SMART_RESOURCES[resource]!;
      if (scope.interactions.has('r') || scope.interactions.has('s')) for (const perm of table.read) all.add(perm);
      if ((scope.interactions.has('c') || scope.interactions.has('u')) && table.write) for (const perm of table.write) all.add(perm);
    }
  }
  return [...all].sort();
}

/** Whether the scopes (a token's `scope`, space-separated) allow this interaction on this resource type. */
export function scopeAllows(scopeClaim: string | readonly string[] | undefined, resource: string, interaction: SmartInteraction): boolean {
  const texts = typeof scopeClaim === 'string' ? scopeClaim.split(' ') : (scopeClaim ?? []);
  for (const text of texts) {
    let scope: SmartScope;
    try {
      scope = parseSmartScope(text);
    } catch {
      continue;
    }
    if ((scope.resource === '*' || scope.resource === resource) && scope.interactions.has(interaction)) return true;
  }
  return false;
}

/** A scope written the v2 way, letters in canonical order (what a token's `scope` says). */
export function formatSmartScope(scope: SmartScope): string {
  const letters = V2_ORDER.split('').filter((l) => scope.interactions.has(l as SmartInteraction)).join('');
  return `system/${scope.resource}.${letters}`;
}

/**
 * What a token request's `scope` gets: each requested scope narrowed to what the client was
 * granted (SMART: the server may grant less than asked); none asked: everything granted.
 */
export function narrowScopes(granted: readonly SmartScope[], requested: readonly SmartScope[] | null): SmartScope[] {
  if (!requested) return [...granted];
  const out: SmartScope[] = [];
  for (const want of requested) {
    for (const resource of resourcesOf(want)) {
      const allowed = [...want.interactions].filter((i) => granted.some((g) => (g.resource === '*' || g.resource === resource) && g.interactions.has(i)));
      if (allowed.length) out.push({ resource, interactions: new Set(allowed) });
    }
  }
  return merge(out);
}

/** One scope per resource type, interactions united (`*` stays `*`). */
function merge(scopes: readonly SmartScope[]): SmartScope[] {
  const byResource = new Map<string, Set<SmartInteraction>>();
  for (const s of scopes) {
    const set = byResource.get(s.resource) ?? new Set<SmartInteraction>();
    for (const i of s.interactions) set.add(i);
    byResource.set(s.resource, set);
  }
  return [...byResource].map(([resource, interactions]) => ({ resource, interactions }));
}
