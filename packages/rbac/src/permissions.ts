/**
 * Permission strings are `clinicult:<resource>:<action>` (DESIGN.md, security model).
 * Every action implies `read` of its resource; `*` implies every action of the resource.
 */
export const RESOURCES = [
  'user',
  'clinic',
  'patient',
  'medical',
  'visit',
  'visits',
  'template',
  'report',
  'audit',
  'platform',
  'service',
  // the waiting-room board (display:read, what a display client holds) and its displays (display:write)
  'display',
  // a clinic's FHIR API clients (issue 18, SMART Backend Services): integration:read lists them, :write registers and revokes
  'integration',
] as const;
export type Resource = (typeof RESOURCES)[number];

export interface ParsedPermission {
  resource: string;
  action: string;
}

const PERMISSION_PATTERN = /^clinicult:([a-z][a-z-]*):([a-z*][a-z-]*|\*)$/;

export function parsePermission(permission: string): ParsedPermission | null {
  const match = PERMISSION_PATTERN.exec(permission);
  if (!match) return null;
  return { resource: match[1]!, action: match[2]! };
}

export function permission(resource: Resource, action: string): string {
  return `clinicult:${resource}:${action}`;
}

/** Does one granted permission cover the required one? */
export function grants(granted: string, required: string): boolean {
  const g = parsePermission(granted);
  const r = parsePermission(required);
  if (!g || !r || g.resource !== r.resource) return false;
  if (g.action === '*' || g.action === r.action) return true;
  // Any action implies read of its resource — except on `service`, whose capabilities are exact.
  return r.action === 'read' && g.resource !== 'service';
}

/** Does a set of granted permissions (a token's `permissions` claim) cover the required one? */
export function hasPermission(granted: readonly string[] | undefined, required: string): boolean {
  return !!granted && granted.some((g) => grants(g, required));
}
