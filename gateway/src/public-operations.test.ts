import { judgeAnonymous } from './public-operations.js';

const dev = { allowIntrospection: true };
const prod = { allowIntrospection: false };
const judge = (query: string, policy = prod, operationName?: string) => judgeAnonymous(query, operationName, policy, 2000).allowed;

describe('what a caller without a token may run', () => {
  it('the public auth mutations', () => {
    expect(judge('mutation { login(email: "a", password: "b") { token } }')).toBe(true);
    expect(judge('mutation Accept { acceptInvitation(token: "t", password: "p") { token } __typename }')).toBe(true);
    expect(judge('mutation { requestPasswordReset(email: "a@b.c") }')).toBe(true);
    expect(judge('mutation { resetPassword(token: "t", password: "p") { token } }')).toBe(true);
    expect(judge('mutation { verifySecondFactor(ticket: "t", code: "123456") { token } }')).toBe(true);
    expect(judge('mutation { startTotpEnrolment(ticket: "t") { secret } }')).toBe(true);
  });

  it('nothing else', () => {
    expect(judge('{ me { id } }')).toBe(false);
    expect(judge('mutation { logout }')).toBe(false);
    expect(judge('mutation { regenerateRecoveryCodes }')).toBe(false);
    expect(judge('mutation { createUser(input: {}) { invitation { id } } }')).toBe(false);
    expect(judge('mutation { login(email: "a", password: "b") { token } logout }')).toBe(false);
    expect(judge('mutation { ...F } fragment F on Mutation { login(email: "a", password: "b") { token } }')).toBe(false);
    expect(judge('mutation { ... on Mutation { logout } }')).toBe(false);
    expect(judge('subscription { login }')).toBe(false);
    expect(judge('')).toBe(false);
  });

  it('the operation that will run, chosen by operationName', () => {
    const doc = 'mutation A { login(email: "a", password: "b") { token } } query B { me { id } }';
    expect(judge(doc, prod, 'A')).toBe(true);
    expect(judge(doc, prod, 'B')).toBe(false);
    expect(judge(doc, prod)).toBe(false); // ambiguous
    expect(judge(doc, prod, 'C')).toBe(false);
  });

  it('introspection only outside production', () => {
    expect(judge('{ __schema { types { name } } }', dev)).toBe(true);
    expect(judge('{ __type(name: "User") { name } __typename }', dev)).toBe(true);
    expect(judge('{ __schema { types { name } } me { id } }', dev)).toBe(false);
    expect(judge('{ __schema { types { name } } }', prod)).toBe(false);
  });

  it('leaves syntax errors to the parser', () => {
    expect(judge('{ me { ')).toBe('unparseable');
  });
});
