import { GraphQLError } from 'graphql';
import { isRefusal } from './archive-relay.js';

describe('isRefusal: which answers of visits make a row poison', () => {
  const answer = (code: string) => new GraphQLError('no', { extensions: { code } });

  test.each(['BAD_USER_INPUT', 'FORBIDDEN', 'CONFLICT'])('%s is a refusal of the snapshot', (code) => {
    expect(isRefusal(answer(code))).toBe(true);
  });

  test.each(['UNAUTHENTICATED', 'INTERNAL_SERVER_ERROR', 'GRAPHQL_VALIDATION_FAILED'])('%s heals: retried without limit', (code) => {
    expect(isRefusal(answer(code))).toBe(false);
  });

  test('transport failures and timeouts heal', () => {
    expect(isRefusal(new TypeError('fetch failed'))).toBe(false);
    expect(isRefusal(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(false);
    expect(isRefusal(new Error('http://visits/graphql answered 502 without data'))).toBe(false);
  });
});
