import * as server from '@clinicult/templates';
import { emptyField, toInput, validateTemplate, type TemplateDraft } from './form';
import * as rules from './rules';

const field = (patch: Partial<ReturnType<typeof emptyField>>) => ({ ...emptyField(), ...patch });

describe("the editor's rules are @clinicult/templates'", () => {
  it('has the same limits and key pattern', () => {
    expect(rules.FIELD_TYPES).toEqual(server.FIELD_TYPES);
    expect(rules.TEMPLATE_KINDS).toEqual(server.TEMPLATE_KINDS);
    expect([rules.MAX_FIELDS, rules.MAX_OPTIONS]).toEqual([server.MAX_FIELDS, server.MAX_OPTIONS]);
    expect(rules.FIELD_KEY.source).toBe(server.FIELD_KEY.source);
  });

  it('sends what the server accepts, and stops what it refuses', () => {
    const good: TemplateDraft = {
      name: 'Intake',
      kind: 'INTAKE',
      fields: [
        field({ label: 'Pain', key: 'pain_level', type: 'NUMBER', min: '0', max: '10', unit: 'pts' }),
        field({ label: 'Onset', key: 'onset', type: 'CHOICE', options: 'Today\nThis week' }),
        field({ label: 'Notes', key: 'notes', help: 'h'.repeat(rules.MAX_LENGTH.help) }),
      ],
    };
    expect(validateTemplate(good)).toEqual({});
    expect(server.templateInputSchema.safeParse(toInput(good)).success).toBe(true);

    const tooLong = (attribute: 'label' | 'help' | 'unit', length: number, type: 'TEXT' | 'NUMBER' = 'TEXT'): TemplateDraft => ({
      ...good,
      fields: [field({ label: 'x', key: 'x', type, [attribute]: 'y'.repeat(length) })],
    });
    for (const [attribute, max, type] of [['label', rules.MAX_LENGTH.label, 'TEXT'], ['help', rules.MAX_LENGTH.help, 'TEXT'], ['unit', rules.MAX_LENGTH.unit, 'NUMBER']] as const) {
      expect(server.templateInputSchema.safeParse(toInput(tooLong(attribute, max, type))).success).toBe(true);
      expect(server.templateInputSchema.safeParse(toInput(tooLong(attribute, max + 1, type))).success).toBe(false);
      expect(validateTemplate(tooLong(attribute, max + 1, type))).toHaveProperty([`fields[0].${attribute}`]);
    }
    const longName = { ...good, name: 'n'.repeat(rules.MAX_LENGTH.name + 1) };
    expect(server.templateInputSchema.safeParse(toInput(longName)).success).toBe(false);
    expect(validateTemplate(longName)).toHaveProperty(['name']);
  });
});
