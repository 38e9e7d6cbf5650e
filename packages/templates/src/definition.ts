import { z } from 'zod';

/**
 * A visit template's definition (DESIGN.md, API sketch: TemplateInput). One set of rules for every
 * service that stores templates (clinic, admin's global catalogue) so a template valid in one is
 * valid in the other.
 */

export const TEMPLATE_KINDS = ['INTAKE', 'NOTE'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export const FIELD_TYPES = ['TEXT', 'NUMBER', 'CHOICE', 'MULTI_CHOICE', 'DATE', 'BOOLEAN'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** A field as stored and shown: every attribute present, null where it does not apply. */
// a type (not an interface), so it is assignable to the snapshot contract's open objects
export type TemplateFieldDef = {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  options: string[] | null;
  unit: string | null;
  min: number | null;
  max: number | null;
  help: string | null;
};

export interface TemplateDefinition {
  name: string;
  kind: TemplateKind;
  fields: TemplateFieldDef[];
}

export const MAX_FIELDS = 100;
export const MAX_OPTIONS = 50;
/** Keys name answers in JSON and in FHIR exports: an identifier, not a sentence. */
export const FIELD_KEY = /^[a-z][a-zA-Z0-9_]{0,63}$/;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters.`)
    .nullish()
    .transform((value) => (value ? value : null));

const fieldShape = z.object({
  key: z
    .string()
    .trim()
    .regex(FIELD_KEY, 'must start with a lower-case letter and hold only letters, digits and _ (at most 64), e.g. chiefComplaint.'),
  label: z.string().trim().min(1, 'must not be empty.').max(200, 'at most 200 characters.'),
  type: z.enum(FIELD_TYPES, { error: `must be one of ${FIELD_TYPES.join(', ')}.` }),
  required: z.boolean().nullish(),
  options: z.array(z.string().trim().min(1, 'an option must not be empty.').max(200, 'at most 200 characters.')).nullish(),
  unit: optionalText(32),
  min: z.number().finite().nullish(),
  max: z.number().finite().nullish(),
  help: optionalText(500),
});

type FieldShape = z.infer<typeof fieldShape>;

/** The parts of a field that depend on its type (checked per field, so one bad field hides no other). */
function checkTypeRules(field: FieldShape, ctx: z.RefinementCtx): void {
  const at = (key: string) => [key];
  const choice = field.type === 'CHOICE' || field.type === 'MULTI_CHOICE';
  const numeric = field.type === 'NUMBER';
  if (choice) {
    const options = field.options ?? [];
    if (options.length < 2) ctx.addIssue({ code: 'custom', path: at('options'), message: `a ${field.type} field needs at least 2 options.` });
    if (options.length > MAX_OPTIONS) ctx.addIssue({ code: 'custom', path: at('options'), message: `at most ${MAX_OPTIONS} options.` });
    if (new Set(options).size !== options.length) ctx.addIssue({ code: 'custom', path: at('options'), message: 'options must be different from each other.' });
  } else if (field.options && field.options.length > 0) {
    ctx.addIssue({ code: 'custom', path: at('options'), message: 'only CHOICE and MULTI_CHOICE fields have options.' });
  }
  if (!numeric) {
    for (const key of ['unit', 'min', 'max'] as const) {
      if (field[key] !== null && field[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: at(key), message: `only NUMBER fields have a ${key}.` });
      }
    }
  } else if (field.min != null && field.max != null && field.min > field.max) {
    ctx.addIssue({ code: 'custom', path: at('max'), message: `must not be below min (${field.min}).` });
  }
}

/** The stored shape: every attribute present, null where the type has none. */
function normalizeField(field: FieldShape): TemplateFieldDef {
  const choice = field.type === 'CHOICE' || field.type === 'MULTI_CHOICE';
  const numeric = field.type === 'NUMBER';
  return {
    key: field.key,
    label: field.label,
    type: field.type,
    required: field.required ?? false,
    options: choice ? (field.options ?? []) : null,
    unit: numeric ? (field.unit ?? null) : null,
    min: numeric ? (field.min ?? null) : null,
    max: numeric ? (field.max ?? null) : null,
    help: field.help ?? null,
  };
}

const fieldInput = fieldShape.superRefine(checkTypeRules).transform(normalizeField);

/** TemplateInput → the stored definition; issues carry paths like `fields[2].options`. */
export const templateInputSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty.').max(120, 'at most 120 characters.'),
    kind: z.enum(TEMPLATE_KINDS, { error: `must be one of ${TEMPLATE_KINDS.join(', ')}.` }),
    fields: z
      .array(fieldInput)
      .min(1, 'a template needs at least one field.')
      .max(MAX_FIELDS, `at most ${MAX_FIELDS} fields.`),
  })
  .transform((input, ctx): TemplateDefinition => {
    const seen = new Map<string, number>();
    input.fields.forEach((field, index) => {
      const first = seen.get(field.key);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['fields', index, 'key'], message: `"${field.key}" is already the key of fields[${first}]; keys must be unique.` });
      } else {
        seen.set(field.key, index);
      }
    });
    return input;
  });

/**
 * Reads a stored field list (a JSON column, an event payload) back into definitions, filling
 * attributes a older writer left out. Throws when the value is not a field list at all.
 */
export function readStoredFields(value: unknown): TemplateFieldDef[] {
  if (!Array.isArray(value)) throw new Error('stored template fields must be an array');
  return value.map((raw: Record<string, unknown>) => ({
    key: String(raw.key),
    label: String(raw.label ?? raw.key),
    type: raw.type as FieldType,
    required: raw.required === true,
    options: Array.isArray(raw.options) ? raw.options.map(String) : null,
    unit: typeof raw.unit === 'string' ? raw.unit : null,
    min: typeof raw.min === 'number' ? raw.min : null,
    max: typeof raw.max === 'number' ? raw.max : null,
    help: typeof raw.help === 'string' ? raw.help : null,
  }));
}
