import { ApolloError } from '@apollo/client';
import { SESSION_REASONS, plainMessage, sessionReasonText } from './errors';
import { fill, setUiLanguage, uiEn, uiEs, uiText } from './i18n';
import { INVITATION_STATUS_LABELS, newPasswordProblems } from './identity/invitations';
import { FIELD_TYPE_LABELS, KIND_LABELS, validateTemplate } from './templates/form';

/** Every text of a catalogue by its dotted key. */
function flat(catalogue: object, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(catalogue)) {
    if (typeof value === 'string') out[`${prefix}${key}`] = value;
    else Object.assign(out, flat(value as object, `${prefix}${key}.`));
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe("web-ui's own words", () => {
  afterEach(() => setUiLanguage('en'));

  it('speaks English until told otherwise', () => {
    expect(uiText()).toBe(uiEn);
    expect(sessionReasonText('SIGNED_OUT')).toBe('You have signed out.');
    expect(INVITATION_STATUS_LABELS.REVOKED).toBe('Withdrawn');
  });

  it('has every English key in Spanish, translated, with the same placeholders', () => {
    const en = flat(uiEn);
    const es = flat(uiEs);
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(en).filter((key) => es[key] === en[key])).toEqual([]);
    for (const key of Object.keys(en)) expect([key, placeholders(es[key]!)]).toEqual([key, placeholders(en[key]!)]);
  });

  it('switches what is written outside React', () => {
    setUiLanguage('es');
    expect(sessionReasonText('TOKEN_EXPIRED')).toBe('Su sesión ha caducado. Vuelva a iniciar sesión.');
    expect(sessionReasonText('SOMETHING_NEW')).toBe(uiEs.sessionReasons.TOKEN_INVALID);
    expect(SESSION_REASONS.SIGNED_OUT).toBe('Ha cerrado la sesión.');
    expect(INVITATION_STATUS_LABELS.PENDING).toBe('Pendiente de respuesta');
    expect(FIELD_TYPE_LABELS.BOOLEAN).toBe('Sí / no');
    expect(KIND_LABELS.INTAKE).toMatch(/^Anamnesis/);
    expect(Object.keys(INVITATION_STATUS_LABELS)).toHaveLength(6);
    expect(plainMessage(new ApolloError({ networkError: new TypeError('Failed to fetch') }))).toMatch(/^No se puede conectar/);
    expect(newPasswordProblems('short', 'other')).toEqual({
      password: 'Elija una contraseña de al menos 10 caracteres.',
      confirm: 'Las dos contraseñas no coinciden.',
    });
    expect(validateTemplate({ name: '', kind: 'NOTE', fields: [] })).toEqual({ name: 'Introduzca el nombre de la plantilla.', fields: 'Añada al menos un campo.' });
    setUiLanguage(null);
    expect(INVITATION_STATUS_LABELS.PENDING).toBe('Waiting for an answer');
  });

  it('fills placeholders once, leaving unknown ones', () => {
    expect(fill('Field {{number}}: {{label}}', { number: 2, label: '{{number}}' })).toBe('Field 2: {{number}}');
    expect(fill('At most {{max}}.', {})).toBe('At most {{max}}.');
  });
});
