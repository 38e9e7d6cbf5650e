/**
 * Permission strings are `clinicult:<resource>:<action>` (DESIGN.md): every action implies `read`
 * of its resource, `*` implies every action. The same rule as packages/rbac, for the browser.
 */
export type Permission = `${string}:${string}`;

export function grants(granted: string, required: string): boolean {
  const g = /^clinicult:([a-z-]+):([a-z*-]+)$/.exec(granted);
  const r = /^clinicult:([a-z-]+):([a-z*-]+)$/.exec(required);
  if (!g || !r || g[1] !== r[1]) return false;
  if (g[2] === '*' || g[2] === r[2]) return true;
  return r[2] === 'read' && g[1] !== 'service';
}

/** `can(permissions, 'medical:read')`: does the token grant `clinicult:medical:read`? */
export function can(permissions: readonly string[] | undefined, required: Permission): boolean {
  const full = required.startsWith('clinicult:') ? required : `clinicult:${required}`;
  return !!permissions && permissions.some((p) => grants(p, full));
}
