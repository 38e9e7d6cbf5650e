import type { Caller } from '@clinicult/rbac';
import { decodeCursor, encodeCursor, escapeLike, rolesFromJson, scopeOf, searchWhere, visibleUserWhere } from './users.js';

const facts = { token: 't', jti: 'j', issuedAt: new Date(), expiresAt: new Date(), mfa: false };

test('scope: staff see themselves and their clinic; unscoped users and operators only themselves; services their named clinic', () => {
  expect(scopeOf({ kind: 'staff', userId: 'u', clinicId: 'c', roles: ['DOCTOR'], permissions: [], ...facts })).toEqual({ userId: 'u', clinicId: 'c' });
  expect(scopeOf({ kind: 'unscoped', userId: 'u', roles: [], permissions: [], ...facts })).toEqual({ userId: 'u', clinicId: null });
  expect(scopeOf({ kind: 'operator', userId: 'u', roles: ['OPERATOR'], permissions: [], ...facts })).toEqual({ userId: 'u', clinicId: null });
  expect(scopeOf({ kind: 'service', service: 'admin', clinicId: null, permissions: [], ...facts })).toEqual({ userId: null, clinicId: null });
  expect(scopeOf({ kind: 'anonymous' } as Caller)).toEqual({ userId: null, clinicId: null });
});

test('an empty scope matches nobody', () => {
  expect(visibleUserWhere({ userId: null, clinicId: null })).toEqual({ id: { in: [] } });
  expect(visibleUserWhere({ userId: 'u', clinicId: 'c' })).toEqual({
    OR: [{ id: 'u' }, { memberships: { some: { clinicId: 'c' } } }],
  });
});

test('cursors round-trip and garbage is BAD_USER_INPUT', () => {
  const cursor = encodeCursor({ lastName: 'García', firstName: 'Ana', id: 'x' });
  expect(decodeCursor(cursor)).toEqual(['García', 'Ana', 'x']);
  expect(() => decodeCursor('nope')).toThrow(/not a cursor from this list/);
  expect(() => decodeCursor(Buffer.from('[1,2,3]').toString('base64url'))).toThrow(/not a cursor/);
});

test('search: each word is a prefix of a name or the email; LIKE wildcards are literal', () => {
  expect(searchWhere('  ')).toBeNull();
  expect(searchWhere('ana ga')).toEqual({
    AND: [
      { OR: [{ lastName: { startsWith: 'ana' } }, { firstName: { startsWith: 'ana' } }, { email: { startsWith: 'ana' } }] },
      { OR: [{ lastName: { startsWith: 'ga' } }, { firstName: { startsWith: 'ga' } }, { email: { startsWith: 'ga' } }] },
    ],
  });
  expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
  expect(() => searchWhere('x'.repeat(101))).toThrow(/search: at most 100 characters/);
});

test('roles read from JSON keep known names only', () => {
  expect(rolesFromJson(['NURSE', 'ADMIN', 7, 'ROOT'])).toEqual(['ADMIN', 'NURSE']);
  expect(rolesFromJson({ not: 'an array' })).toEqual([]);
});
