import { ApolloError } from '@apollo/client';
import { GraphQLError } from 'graphql';
import { graphqlEndpoint } from '../config';
import { errorsByField, fieldPath, plainErrors, signedOutMessage } from '../errors';
import { grants } from '../permissions';
import { emptyField, keyFromLabel, toInput, validateTemplate, type TemplateDraft } from '../templateForm';
import { canonicalTimeZone, validateTimeZone } from '../timezones';

const field = (patch: Partial<ReturnType<typeof emptyField>>) => ({ ...emptyField(), ...patch });

describe('template form builder', () => {
  it('derives keys from labels', () => {
    expect(keyFromLabel('Chief complaint')).toBe('chiefComplaint');
    expect(keyFromLabel('Presión arterial (sistólica)')).toBe('presionArterialSistolica');
    expect(keyFromLabel('2nd opinion')).toBe('ndOpinion');
    expect(keyFromLabel('¿?')).toBe('');
  });

  it('finds every problem before sending, keyed by control', () => {
    const draft: TemplateDraft = {
      name: ' ',
      kind: 'NOTE',
      fields: [
        field({ label: 'Pain', key: 'pain', type: 'NUMBER', min: '10', max: '1' }),
        field({ label: 'Smoker', key: 'pain', type: 'CHOICE', options: 'Yes\n\nYes' }),
        field({ label: '', key: '1bad', type: 'TEXT' }),
        field({ label: 'Weight', key: 'weight', type: 'NUMBER', min: 'abc' }),
      ],
    };
    expect(validateTemplate(draft)).toEqual({
      name: 'Enter the template’s name.',
      'fields.0.max': 'The maximum must not be below the minimum (10).',
      'fields.1.key': 'Field 1 already uses this key; keys must be unique.',
      'fields.1.options': 'Each option must be different.',
      'fields.2.label': 'Enter the question or label.',
      'fields.2.key': 'Start with a lower-case letter; use only letters, digits and _ (e.g. chiefComplaint).',
      'fields.3.min': 'Enter a number, or leave it empty.',
    });
    expect(validateTemplate({ name: 'x', kind: 'INTAKE', fields: [] })).toEqual({ fields: 'Add at least one field.' });
  });

  it('sends only the attributes a type has', () => {
    const draft: TemplateDraft = {
      name: ' Intake ',
      kind: 'INTAKE',
      fields: [
        field({ label: 'Pain', key: 'pain', type: 'NUMBER', min: '0', max: '10', unit: ' pts ', options: 'left over' }),
        field({ label: 'Smoker', key: 'smoker', type: 'MULTI_CHOICE', options: ' Yes \nNo\n', required: true, unit: 'x', help: ' ask ' }),
        field({ label: 'Seen', key: 'seen', type: 'DATE', min: '3' }),
      ],
    };
    expect(validateTemplate(draft)).toEqual({});
    expect(toInput(draft)).toEqual({
      name: 'Intake',
      kind: 'INTAKE',
      fields: [
        { key: 'pain', label: 'Pain', type: 'NUMBER', required: false, unit: 'pts', min: 0, max: 10 },
        { key: 'smoker', label: 'Smoker', type: 'MULTI_CHOICE', required: true, options: ['Yes', 'No'], help: 'ask' },
        { key: 'seen', label: 'Seen', type: 'DATE', required: false },
      ],
    });
  });
});

describe('errors in plain words', () => {
  const apollo = (...errors: GraphQLError[]) => new ApolloError({ graphQLErrors: errors });

  it('puts BAD_USER_INPUT next to its field, without the field prefix', () => {
    const error = apollo(
      new GraphQLError('input.name: a clinic named "X" already exists.', {
        extensions: { code: 'BAD_USER_INPUT', fields: [{ path: 'input.name', message: 'a clinic named "X" already exists.' }] },
      }),
      new GraphQLError('input.fields[2].options: a CHOICE field needs at least 2 options.', {
        extensions: { code: 'BAD_USER_INPUT', fields: [{ path: 'input.fields[2].options', message: 'a CHOICE field needs at least 2 options.' }] },
      }),
    );
    expect(errorsByField(error)).toEqual({
      name: 'A clinic named "X" already exists.',
      'fields.2.options': 'A CHOICE field needs at least 2 options.',
    });
    // a field the form does not show goes above the form
    expect(errorsByField(error, (key) => key === 'name')).toEqual({
      name: 'A clinic named "X" already exists.',
      '': 'A CHOICE field needs at least 2 options.',
    });
    expect(fieldPath('input.fields[10].key')).toBe('fields.10.key');
  });

  it('never shows internal codes', () => {
    expect(plainErrors(apollo(new GraphQLError('nope', { extensions: { code: 'FORBIDDEN' } })))[0]!.message).toBe(
      'You are not allowed to do this.',
    );
    expect(plainErrors(apollo(new GraphQLError('boom', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })))[0]!.message).toMatch(
      /^Something went wrong on the server/,
    );
    expect(plainErrors(new ApolloError({ networkError: new TypeError('Failed to fetch') }))[0]!.message).toMatch(/could not be reached/);
    expect(signedOutMessage('SESSION_REVOKED')).toMatch(/^Your session was ended/);
    expect(signedOutMessage('SOMETHING_NEW')).toMatch(/no longer valid/);
  });
});

describe('permissions, time zones, config', () => {
  it('reads permission wildcards like the platform does', () => {
    expect(grants(['clinicult:platform:*'], 'clinicult:platform:write')).toBe(true);
    expect(grants(['clinicult:platform:*'], 'clinicult:platform:read')).toBe(true);
    expect(grants(['clinicult:platform:write'], 'clinicult:platform:read')).toBe(true);
    expect(grants(['clinicult:platform:read'], 'clinicult:platform:write')).toBe(false);
    expect(grants(['clinicult:clinic:*', 'clinicult:user:*'], 'clinicult:platform:read')).toBe(false);
    expect(grants([], 'clinicult:platform:read')).toBe(false);
  });

  it('accepts IANA zones only', () => {
    expect(canonicalTimeZone('Europe/Madrid')).toBe('Europe/Madrid');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeNull();
    expect(canonicalTimeZone('Europe/Madrid; drop')).toBeNull();
    expect(validateTimeZone('')).toMatch(/^Choose/);
    expect(validateTimeZone('Europe/Lisbon')).toBeUndefined();
  });

  it('calls the gateway’s /graphql whatever form its URL takes', () => {
    expect(graphqlEndpoint('http://127.0.0.1:4000', 'http://x/')).toBe('http://127.0.0.1:4000/graphql');
    expect(graphqlEndpoint('http://127.0.0.1:4000/', 'http://x/')).toBe('http://127.0.0.1:4000/graphql');
    expect(graphqlEndpoint('https://api.example.org/graphql', 'http://x/')).toBe('https://api.example.org/graphql');
    expect(graphqlEndpoint('https://example.org/api/', 'http://x/')).toBe('https://example.org/api/graphql');
  });
});
