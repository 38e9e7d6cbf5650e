import { afterWhere, decodeCursor, encodeCursor, escapeLike, filterWhere, pageSize, searchWhere } from './search.js';

test('free text: every word a name prefix, or the whole text an MRN, a national id or a phone', () => {
  expect(searchWhere('  ')).toBeNull();
  const where = searchWhere('garcia ana') as any;
  expect(where.OR[0].AND).toHaveLength(2);
  expect(where.OR[0].AND[0].OR).toEqual([
    { familyName: { startsWith: 'garcia' } },
    { givenName: { startsWith: 'garcia' } },
    { familyName: { contains: ' garcia' } },
    { givenName: { contains: ' garcia' } },
  ]);
  expect(where.OR[1]).toEqual({ mrn: 'garcia ana' });
  expect(where.OR).toHaveLength(3); // no phone clause for words
  const phone = searchWhere('600 111 222') as any;
  expect(phone.OR.at(-1)).toEqual({ phoneDigits: { endsWith: '600111222' } });
});

test('LIKE wildcards typed by a person are literal', () => {
  expect(escapeLike('50%_x\\')).toBe('50\\%\\_x\\\\');
  expect((searchWhere('%') as any).OR[0].AND[0].OR[0]).toEqual({ familyName: { startsWith: '\\%' } });
});

test('filter: identifiers by system, dates, names by prefix', () => {
  expect(filterWhere({ identifier: { system: 'urn:clinicult:mrn', value: 'MRN-000001' } })).toEqual([{ mrn: 'MRN-000001' }]);
  expect(filterWhere({ identifier: { system: 'urn:clinicult:national-id', value: '12345678-z' } })).toEqual([{ nationalId: '12345678Z' }]);
  expect(filterWhere({ identifier: { value: 'X1' } })).toEqual([{ OR: [{ mrn: 'X1' }, { nationalId: 'X1' }] }]);
  expect(() => filterWhere({ identifier: { system: 'http://hl7.org/fhir/sid/us-ssn', value: '1' } })).toThrow(
    /filter.identifier.system: unknown system .* use urn:clinicult:mrn or urn:clinicult:national-id/,
  );
  expect(filterWhere({ familyName: 'garc', birthDateFrom: '1980-01-01', gender: 'FEMALE' })).toEqual([
    { familyName: { startsWith: 'garc' } },
    { birthDate: { gte: new Date('1980-01-01T00:00:00.000Z') } },
    { gender: 'FEMALE' },
  ]);
  expect(() => filterWhere({ birthDateFrom: '1990-01-01', birthDateTo: '1980-01-01' })).toThrow(/birthDateFrom: must not be after birthDateTo/);
  expect(() => filterWhere({ phone: '12' })).toThrow(/filter.phone: give at least 6 digits/);
});

test('cursors round-trip; garbage is BAD_USER_INPUT', () => {
  const cursor = encodeCursor({ familyName: 'García', givenName: 'Ana', id: 'x' });
  expect(decodeCursor(cursor)).toEqual(['García', 'Ana', 'x']);
  expect((afterWhere(cursor) as any).OR).toHaveLength(3);
  expect(() => decodeCursor('garbage')).toThrow(/after: not a cursor from this list/);
  expect(pageSize(undefined)).toBe(20);
  expect(() => pageSize(0)).toThrow(/first: give a number from 1 to 100/);
  expect(() => pageSize(101)).toThrow();
});
