import { GraphQLError } from 'graphql';
import { decodeCursor, encodeCursor } from './cursor.js';
import { canonicalTimeZone, isUuid } from './validation.js';

describe('canonicalTimeZone', () => {
  test.each([
    ['Europe/Madrid', 'Europe/Madrid'],
    ['europe/madrid', 'Europe/Madrid'],
    ['  America/New_York ', 'America/New_York'],
    ['UTC', 'UTC'],
    ['America/Argentina/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
    ['america/buenos_aires', 'America/Buenos_Aires'],
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['Etc/UTC', 'Etc/UTC'],
    ['utc', 'UTC'],
  ])('%j is %j', (input, expected) => {
    expect(canonicalTimeZone(input)).toBe(expected);
  });

  test.each(['Mars/Olympus_Mons', '', '   ', '+01:00', 'GMT+1', 'Europe/Madrid; DROP TABLE', 'x'.repeat(80), '../etc/passwd'])(
    '%j is refused',
    (input) => {
      expect(canonicalTimeZone(input)).toBeNull();
    },
  );

  test('every zone the runtime lists is accepted as it is', () => {
    for (const zone of Intl.supportedValuesOf('timeZone')) expect(canonicalTimeZone(zone)).not.toBeNull();
  });
});

test('isUuid', () => {
  expect(isUuid('0b6f2f4e-3c55-4c1b-9d7e-6a1f8f1f2a3b')).toBe(true);
  expect(isUuid('not-a-uuid')).toBe(false);
  expect(isUuid(42)).toBe(false);
});

describe('cursors', () => {
  test('round-trip a (name, id) position', () => {
    const cursor = { name: 'Clínica Ñandú', id: '0b6f2f4e-3c55-4c1b-9d7e-6a1f8f1f2a3b' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  test.each(['garbage', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')])(
    'a foreign cursor %j is BAD_USER_INPUT naming "after"',
    (value) => {
      let error: unknown;
      try {
        decodeCursor(value);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'after', message: expect.stringMatching(/^not a cursor/) }] });
      expect((error as GraphQLError).message).toMatch(/^after:/);
    },
  );
});
