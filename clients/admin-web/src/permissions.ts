/** Whether a permission list grants `wanted` (`clinicult:x:*` grants every action on x, `write` implies `read`). */
export function grants(permissions: readonly string[], wanted: string): boolean {
  const [, resource, action] = wanted.split(':');
  return permissions.some((p) => {
    if (p === wanted) return true;
    const [, r, a] = p.split(':');
    if (r !== resource) return false;
    return a === '*' || (action === 'read' && a !== undefined);
  });
}
