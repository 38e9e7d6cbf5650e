import { ApolloError } from '@apollo/client';
import { GraphQLError } from 'graphql';
import { errorFor, fieldErrors, formErrors, plainErrors, plainMessage, sessionReasonText } from './errors';

const apollo = (...errors: GraphQLError[]) => new ApolloError({ graphQLErrors: errors });
const badInput = (path: string, message: string) =>
  new GraphQLError(`${path}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', fields: [{ path, message }] } });

describe('errors in plain words', () => {
  it('puts BAD_USER_INPUT next to its field', () => {
    const error = apollo(badInput('input.name', 'a clinic named "X" already exists.'), badInput('input.fields[2].options', 'a CHOICE field needs at least 2 options.'));
    expect(fieldErrors(error)).toEqual({
      'input.name': 'A clinic named "X" already exists.',
      'input.fields[2].options': 'A CHOICE field needs at least 2 options.',
    });
    expect(errorFor(fieldErrors(error), 'fields')).toBe('A CHOICE field needs at least 2 options.');
    // a form's controls are named without the argument; a field the form does not show goes above it
    expect(formErrors(error)).toEqual({ name: 'A clinic named "X" already exists.', 'fields[2].options': 'A CHOICE field needs at least 2 options.' });
    expect(formErrors(error, (key) => key === 'name')).toEqual({ name: 'A clinic named "X" already exists.', _form: 'A CHOICE field needs at least 2 options.' });
  });

  it('keeps every other refusal for the form as a whole', () => {
    const error = apollo(new GraphQLError('This patient was changed meanwhile.', { extensions: { code: 'CONFLICT' } }));
    expect(fieldErrors(error)).toEqual({ _form: 'This patient was changed meanwhile.' });
    // a failure without GraphQL errors names no field; the form still says what went wrong
    const offline = new ApolloError({ networkError: new TypeError('Failed to fetch') });
    expect(fieldErrors(offline)).toEqual({});
    expect(formErrors(offline)).toEqual({ _form: 'Cannot reach the Clinicult server. Check the connection and try again.' });
  });

  it('never shows internal faults or permission names', () => {
    expect(plainMessage(apollo(new GraphQLError('This needs the permission clinicult:platform:write.', { extensions: { code: 'FORBIDDEN' } })))).toBe(
      'You are not allowed to do this.',
    );
    // the services' own refusals are written for people
    expect(plainMessage(apollo(new GraphQLError('Only a clinic ADMIN invites staff.', { extensions: { code: 'FORBIDDEN' } })))).toBe('Only a clinic ADMIN invites staff.');
    expect(plainMessage(apollo(new GraphQLError('boom at line 3', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })))).toMatch(/^Something went wrong on our side/);
    expect(plainMessage(new ApolloError({ networkError: new TypeError('Failed to fetch') }))).toMatch(/^Cannot reach the Clinicult server/);
    expect(plainMessage(new TypeError('Failed to fetch'))).toMatch(/^Cannot reach the Clinicult server/);
    expect(plainMessage(null)).toBe('');
  });

  it('lists each problem once', () => {
    const twice = apollo(new GraphQLError('Not found.', { extensions: { code: 'NOT_FOUND' } }), new GraphQLError('Not found.', { extensions: { code: 'NOT_FOUND' } }));
    expect(plainErrors(twice)).toEqual(['Not found.']);
  });

  it('says why a session ended', () => {
    expect(sessionReasonText('SESSION_REVOKED')).toMatch(/^Your session was ended/);
    expect(sessionReasonText('CLINIC_SUSPENDED')).toMatch(/^Your clinic has been suspended, so you have been signed out\./);
    expect(sessionReasonText('SOMETHING_NEW')).toMatch(/no longer valid/);
    // one wording for a wrong password in both apps
    expect(plainMessage(apollo(new GraphQLError('The email or password is incorrect.', { extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' } })))).toBe(
      'The email or password is not correct.',
    );
    // a refused request without words of its own reads as its reason
    expect(plainMessage(apollo(new GraphQLError('', { extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' } })))).toBe(
      'Your session has expired. Please sign in again.',
    );
  });
});
