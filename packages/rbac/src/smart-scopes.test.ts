import { formatSmartScope, grantsMedical, narrowScopes, parseSmartScope, permissionsForScopes, scopeAllows, SmartScopeError } from './smart-scopes.js';

const parse = (...texts: string[]) => texts.map(parseSmartScope);

test('v2 letters and v1 words mean the same interactions; written back in v2 order', () => {
  expect(parse('system/Patient.read', 'system/Patient.rs').map(formatSmartScope)).toEqual(['system/Patient.rs', 'system/Patient.rs']);
  expect(formatSmartScope(parseSmartScope('system/Patient.write'))).toBe('system/Patient.cu');
  expect(formatSmartScope(parseSmartScope('system/Patient.*'))).toBe('system/Patient.crus');
});

test('what is not a system scope of a served resource, or asks for what the server does not do, is refused with the reason', () => {
  for (const text of ['patient/Patient.rs', 'user/Observation.read', 'system/Banana.rs', 'system/Patient.', 'system/Patient.x', 'Patient.rs', 'system/Patient.rsd', 'system/Observation.c', 'system/Patient.sr']) {
    expect(() => parseSmartScope(text)).toThrow(SmartScopeError);
  }
  expect(() => parseSmartScope('system/Patient.cruds')).toThrow(/deletes nothing/);
  // v1 words give what the server does of them
  expect(formatSmartScope(parseSmartScope('system/*.*'))).toBe('system/*.crus');
});

test('scopes carry the permissions their resources need; medical ones are marked', () => {
  expect(permissionsForScopes(parse('system/Patient.rs'))).toEqual(['clinicult:patient:read']);
  expect(permissionsForScopes(parse('system/Patient.cu'))).toEqual(['clinicult:patient:write']);
  expect(permissionsForScopes(parse('system/Observation.rs'))).toContain('clinicult:medical:read');
  expect(grantsMedical(parse('system/Patient.rs', 'system/Encounter.rs'))).toBe(false);
  expect(grantsMedical(parse('system/Condition.rs'))).toBe(true);
  expect(grantsMedical(parse('system/*.rs'))).toBe(true);
});

test('a token\'s scope allows exactly its resources and letters', () => {
  const claim = 'system/Patient.rs system/Observation.r';
  expect(scopeAllows(claim, 'Patient', 's')).toBe(true);
  expect(scopeAllows(claim, 'Observation', 'r')).toBe(true);
  expect(scopeAllows(claim, 'Observation', 's')).toBe(false);
  expect(scopeAllows(claim, 'Encounter', 'r')).toBe(false);
  expect(scopeAllows(claim, 'Patient', 'c')).toBe(false);
  expect(scopeAllows('system/*.rs', 'Condition', 's')).toBe(true);
  expect(scopeAllows(undefined, 'Patient', 'r')).toBe(false);
});

test('asking for scopes narrows to what was granted; asking for nothing gets everything granted', () => {
  const granted = parse('system/Patient.rs', 'system/Observation.rs');
  expect(narrowScopes(granted, null).map(formatSmartScope)).toEqual(['system/Patient.rs', 'system/Observation.rs']);
  expect(narrowScopes(granted, parse('system/Patient.crus')).map(formatSmartScope)).toEqual(['system/Patient.rs']);
  expect(narrowScopes(granted, parse('system/*.r')).map(formatSmartScope)).toEqual(['system/Patient.r', 'system/Observation.r']);
  expect(narrowScopes(granted, parse('system/Condition.rs'))).toEqual([]);
});
