import { fieldPaths } from '@clinicult/testing';
import { canonicalRoles, createUserInputSchema, parseInput, rolesSchema, updateUserInputSchema } from './validation.js';

const valid = { email: 'A.Person@Clinic.ORG ', firstName: ' Ana ', lastName: 'Pérez', roles: ['OFFICE', 'ADMIN', 'OFFICE'] };

describe('createUser input', () => {
  test('trims, lower-cases the email and puts roles in canonical order', () => {
    expect(parseInput(createUserInputSchema, valid)).toEqual({
      email: 'a.person@clinic.org',
      firstName: 'Ana',
      lastName: 'Pérez',
      roles: ['ADMIN', 'OFFICE'],
    });
  });

  test.each([
    [{ email: 'nobody' }, 'email: not a valid address; write it like name@clinic.org.'],
    [{ email: 'a@b' }, 'email: not a valid address; write it like name@clinic.org.'],
    [{ firstName: '' }, 'firstName: must not be empty.'],
    [{ lastName: ' \t ' }, 'lastName: must not be empty.'],
    [{ lastName: 'x'.repeat(101) }, 'lastName: at most 100 characters.'],
    [{ roles: [] }, /roles: give at least one role/],
    [{ phone: 'call me' }, /phone: use digits/],
    [{ locale: 'en_US' }, /locale: use a language tag/],
  ])('%j is refused as BAD_USER_INPUT: %s', (patch, message) => {
    let error: any;
    try {
      parseInput(createUserInputSchema, { ...valid, ...patch });
    } catch (e) {
      error = e;
    }
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(message);
    expect(fieldPaths(error)).toEqual([Object.keys(patch)[0]]);
  });

  test('several problems are named together', () => {
    expect(() => parseInput(createUserInputSchema, { ...valid, email: 'x', roles: [] })).toThrow(/email: .* roles: /);
  });
});

describe('updateUser input', () => {
  test('an empty phone clears it; at least one field is needed', () => {
    expect(parseInput(updateUserInputSchema, { phone: '  ' })).toEqual({ phone: null });
    expect(() => parseInput(updateUserInputSchema, {})).toThrow(/give at least one of firstName, lastName, phone, locale/);
    expect(() => parseInput(updateUserInputSchema, { firstName: '' })).toThrow(/firstName: must not be empty/);
  });
});

test('roles: unknown names are refused, duplicates dropped', () => {
  expect(() => parseInput(rolesSchema, ['OPERATOR'])).toThrow();
  expect(canonicalRoles(['NURSE', 'DOCTOR', 'NURSE', 'BOGUS'])).toEqual(['DOCTOR', 'NURSE']);
});
