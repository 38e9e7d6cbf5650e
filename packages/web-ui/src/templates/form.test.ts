import { emptyField, keyFromLabel, shownByEditor, toInput, validateTemplate, type TemplateDraft } from './form';

const field = (patch: Partial<ReturnType<typeof emptyField>>) => ({ ...emptyField(), ...patch });

describe('template editor', () => {
  it('derives keys from labels', () => {
    expect(keyFromLabel('Chief complaint')).toBe('chiefComplaint');
    expect(keyFromLabel('Presión arterial (sistólica)')).toBe('presionArterialSistolica');
    expect(keyFromLabel('2nd opinion')).toBe('ndOpinion');
    expect(keyFromLabel('¿?')).toBe('');
  });

  it('finds every problem before sending, keyed as the API names them', () => {
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
      'fields[0].max': 'The maximum must not be below the minimum (10).',
      'fields[1].key': 'Field 1 already uses this key; keys must be unique.',
      'fields[1].options': 'Each option must be different.',
      'fields[2].label': 'Enter the question or label.',
      'fields[2].key': 'Start with a lower-case letter; use only letters, digits and _ (e.g. chiefComplaint).',
      'fields[3].min': 'Enter a number, or leave it empty.',
    });
    expect(validateTemplate({ name: 'x', kind: 'INTAKE', fields: [] })).toEqual({ fields: 'Add at least one field.' });
    expect(Object.keys(validateTemplate(draft)).every(shownByEditor)).toBe(true);
    expect(shownByEditor('fields[2].options')).toBe(true);
    expect(shownByEditor('templateId')).toBe(false);
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
