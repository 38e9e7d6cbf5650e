import { GraphQLError, parse } from 'graphql';
import { checkTokenLimit, countTokens, refuseBatch, withoutSuggestions } from './limits.js';

describe('token counting', () => {
  it('counts lexical tokens like graphql-js, ignoring commas and comments', () => {
    expect(countTokens('{ me { id } }')).toBe(6);
    expect(countTokens('# a comment\n{ a, b, c }')).toBe(5);
    expect(countTokens('query Q($x: Int = 3) { a(x: $x) }')).toBe(19);
  });

  it('agrees with the parser, so Apollo\'s own maxTokens never fires first', () => {
    const query = 'query Q($x: Int = 3) { a(x: $x) @include(if: true) ...F } fragment F on T { b }';
    const n = countTokens(query);
    expect(() => parse(query, { maxTokens: n })).not.toThrow();
    expect(() => parse(query, { maxTokens: n - 1 })).toThrow(/Document contains more/);
  });

  it('stops as soon as the limit is passed', () => {
    expect(countTokens('{ a b c d e f g h }', 3)).toBe(4);
  });

  it('refuses a document over the limit as BAD_USER_INPUT with HTTP 400', () => {
    expect(() => checkTokenLimit('{ a }', 3)).not.toThrow();
    try {
      checkTokenLimit('{ a b c d }', 3);
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(GraphQLError);
      const e = error as GraphQLError;
      expect(e.message).toMatch(/more than 3 tokens/);
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', http: { status: 400 } });
    }
  });
});

describe('batches', () => {
  it('are refused', () => {
    expect(() => refuseBatch([{ query: '{ a }' }])).toThrow(/one operation per request/);
    expect(() => refuseBatch({ query: '{ a }' })).not.toThrow();
  });
});

describe('suggestions', () => {
  it('are removed from messages', () => {
    expect(withoutSuggestions('Cannot query field "valeu" on type "Echo". Did you mean "value"?')).toBe(
      'Cannot query field "valeu" on type "Echo".',
    );
    expect(withoutSuggestions('Unknown type "Usr". Did you mean "User" or "Users"?')).toBe('Unknown type "Usr".');
    expect(withoutSuggestions('Value "A" does not exist in "Role" enum. Did you mean the enum value "ADMIN"?')).toBe(
      'Value "A" does not exist in "Role" enum.',
    );
  });
});
