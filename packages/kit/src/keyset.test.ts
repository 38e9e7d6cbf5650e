import { decodeKeyset, encodeKeyset, escapeLike } from './keyset.js';

test('a keyset cursor round-trips strings and dates', () => {
  const at = new Date('2026-11-27T10:00:00.000Z');
  expect(decodeKeyset(encodeKeyset(['García', at, 'id-1']), ['string', 'date', 'string'])).toEqual(['García', at, 'id-1']);
});

test('anything else is not a cursor of that shape', () => {
  expect(decodeKeyset('not-base64-json', ['string'])).toBeNull();
  expect(decodeKeyset(encodeKeyset(['a', 'b']), ['string'])).toBeNull();
  expect(decodeKeyset(encodeKeyset(['not a date', 'x']), ['date', 'string'])).toBeNull();
});

test('escapeLike escapes LIKE wildcards and the escape character', () => {
  expect(escapeLike('50%_off\\')).toBe('50\\%\\_off\\\\');
});
