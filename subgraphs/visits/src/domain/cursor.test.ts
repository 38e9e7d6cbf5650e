import { decodeCursor, encodeCursor, pageSize } from './cursor.js';

test('a cursor round-trips (finishedAt, id)', () => {
  const key = { finishedAt: new Date('2026-11-27T10:00:00.123Z'), id: 'b0f6c6a2-0000-4000-8000-000000000001' };
  expect(decodeCursor(encodeCursor(key))).toEqual(key);
});

test.each(['garbage', Buffer.from('["x","y"]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')])(
  'a foreign cursor %s is BAD_USER_INPUT naming after',
  (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(/^after: not a cursor from this list/);
  },
);

test('page sizes: 1..100, default 20', () => {
  expect(pageSize(undefined)).toBe(20);
  expect(pageSize(100)).toBe(100);
  expect(() => pageSize(0)).toThrow(/first: give a number from 1 to 100/);
  expect(() => pageSize(101)).toThrow(/first/);
});
