import { grants, hasPermission, parsePermission } from './permissions.js';
import { DISPLAY_PERMISSIONS, ROLE_PERMISSIONS, permissionsForRoles } from './roles.js';

describe('permission rules', () => {
  test.each([
    ['clinicult:patient:write', 'clinicult:patient:read', true],
    ['clinicult:patient:write', 'clinicult:patient:write', true],
    ['clinicult:user:*', 'clinicult:user:delete', true],
    ['clinicult:user:*', 'clinicult:user:read', true],
    ['clinicult:visit:triage', 'clinicult:visit:read', true],
    ['clinicult:visit:triage', 'clinicult:visit:consult', false],
    ['clinicult:patient:read', 'clinicult:patient:write', false],
    ['clinicult:patient:write', 'clinicult:medical:read', false],
    ['clinicult:platform:*', 'clinicult:patient:read', false],
    ['clinicult:service:credentials-write', 'clinicult:service:read', false],
    ['not-a-permission', 'clinicult:patient:read', false],
    ['clinicult:*:*', 'clinicult:patient:read', false],
  ])('%s grants %s → %s', (granted, required, expected) => {
    expect(grants(granted, required)).toBe(expected);
  });

  test('parsePermission rejects malformed strings', () => {
    expect(parsePermission('clinicult:patient')).toBeNull();
    expect(parsePermission('other:patient:read')).toBeNull();
    expect(parsePermission('clinicult:patient:read')).toEqual({ resource: 'patient', action: 'read' });
  });

  test('hasPermission over a token claim, and an absent claim grants nothing', () => {
    expect(hasPermission(['clinicult:medical:write'], 'clinicult:medical:read')).toBe(true);
    expect(hasPermission(undefined, 'clinicult:medical:read')).toBe(false);
    expect(hasPermission([], 'clinicult:medical:read')).toBe(false);
  });
});

describe('role table', () => {
  test('matches DESIGN.md for OFFICE: no medical data, front desk only', () => {
    const office = ROLE_PERMISSIONS.OFFICE;
    expect(hasPermission(office, 'clinicult:medical:read')).toBe(false);
    expect(hasPermission(office, 'clinicult:visit:frontdesk')).toBe(true);
    expect(hasPermission(office, 'clinicult:visit:triage')).toBe(false);
    expect(hasPermission(office, 'clinicult:patient:write')).toBe(true);
  });

  test('ADMIN manages users, clinic and templates but reads no medical data', () => {
    const admin = ROLE_PERMISSIONS.ADMIN;
    expect(hasPermission(admin, 'clinicult:user:write')).toBe(true);
    expect(hasPermission(admin, 'clinicult:template:write')).toBe(true);
    expect(hasPermission(admin, 'clinicult:medical:read')).toBe(false);
    expect(hasPermission(admin, 'clinicult:patient:write')).toBe(false);
    expect(hasPermission(admin, 'clinicult:audit:read')).toBe(true);
  });

  test('operators hold the platform only', () => {
    expect(ROLE_PERMISSIONS.OPERATOR).toEqual(['clinicult:platform:*']);
  });

  test('several roles give the sorted union without duplicates', () => {
    const perms = permissionsForRoles(['DOCTOR', 'ADMIN']);
    expect(perms).toEqual([...new Set(perms)].sort());
    expect(hasPermission(perms, 'clinicult:visit:consult')).toBe(true);
    expect(hasPermission(perms, 'clinicult:user:write')).toBe(true);
    expect(hasPermission(perms, 'clinicult:medical:write')).toBe(true);
  });
});

/**
 * Issue 12 (10.): the table pinned as literal lists copied from DESIGN.md's security model (not read
 * from ROLE_PERMISSIONS), and what each role may then do with each resource, written out by hand.
 */
describe('the role table as DESIGN.md writes it', () => {
  const DESIGN = {
    // issue 17 adds display:write: the clinic's ADMIN registers and revokes its waiting-room displays;
    // issue 18 integration:write: and its FHIR API clients (medical scopes need medical:read besides)
    ADMIN: ['user:*', 'clinic:*', 'template:*', 'patient:read', 'visit:read', 'visits:read', 'report:read', 'audit:read', 'display:write', 'integration:write'],
    DOCTOR: ['user:read', 'clinic:read', 'patient:write', 'medical:write', 'visit:consult', 'visits:read', 'template:read', 'report:read'],
    NURSE: ['user:read', 'clinic:read', 'patient:write', 'medical:write', 'visit:triage', 'visits:read', 'template:read'],
    OFFICE: ['user:read', 'clinic:read', 'patient:write', 'visit:frontdesk', 'visits:read', 'template:read', 'report:read'],
    OPERATOR: ['platform:*'],
  } as const;

  test.each(Object.entries(DESIGN))('%s holds exactly its row', (role, permissions) => {
    expect([...ROLE_PERMISSIONS[role as keyof typeof DESIGN]].sort()).toEqual(permissions.map((x) => `clinicult:${x}`).sort());
  });

  test("a display's permission gives the waiting-room board and nothing of the queue or the patients", () => {
    const allowed = ACTIONS.filter((action) => hasPermission(DISPLAY_PERMISSIONS, `clinicult:${action}`));
    expect(allowed).toEqual(['display:read']);
  });

  test('no other roles exist', () => {
    expect(Object.keys(ROLE_PERMISSIONS).sort()).toEqual(['ADMIN', 'DOCTOR', 'NURSE', 'OFFICE', 'OPERATOR']);
  });

  // what each role may do: ✓ granted, - refused (every action implies read; * implies every action)
  const ACTIONS = [
    'user:read', 'user:write', 'clinic:read', 'clinic:write', 'template:read', 'template:write',
    'patient:read', 'patient:write', 'medical:read', 'medical:write',
    'visit:read', 'visit:frontdesk', 'visit:triage', 'visit:consult', 'visits:read', 'visits:write',
    'report:read', 'audit:read', 'platform:read', 'platform:write', 'display:read', 'display:write',
    'integration:read', 'integration:write',
  ];
  const MATRIX: Record<keyof typeof DESIGN, string> = {
    // one character per entry of ACTIONS, in order
    ADMIN: '✓✓✓✓✓✓✓---✓---✓-✓✓--✓✓✓✓',
    DOCTOR: '✓-✓-✓-✓✓✓✓✓--✓✓-✓-------',
    NURSE: '✓-✓-✓-✓✓✓✓✓-✓-✓---------',
    OFFICE: '✓-✓-✓-✓✓--✓✓--✓-✓-------',
    OPERATOR: '------------------✓✓----',
  };
  test.each(Object.keys(MATRIX))('%s may do exactly what the matrix says', (role) => {
    const allowed = ACTIONS.map((action) => (hasPermission(ROLE_PERMISSIONS[role as keyof typeof DESIGN], `clinicult:${action}`) ? '✓' : '-')).join('');
    expect(allowed).toBe(MATRIX[role as keyof typeof DESIGN]);
  });
});
