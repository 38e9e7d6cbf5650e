import { FIELD_KEY, FIELD_TYPES, MAX_FIELDS, MAX_LENGTH, MAX_OPTIONS, TEMPLATE_KINDS, type FieldType, type TemplateFieldDef, type TemplateKind } from './rules';
import { fill, liveLabels, uiText } from '../i18n';

// The template editor's state and its checks, before anything is sent: @clinicult/templates' rules
// (./rules) in words for the person editing, keyed by the paths the API names its problems with
// (`name`, `fields[2].options`), so the server's refusals land on the same controls.

/** A field type and a template kind in plain words, in web-ui's current language (setUiLanguage), looked up when read. */
export const FIELD_TYPE_LABELS: Readonly<Record<FieldType, string>> = liveLabels((text) => text.templates.fieldTypes);
export const KIND_LABELS: Readonly<Record<TemplateKind, string>> = liveLabels((text) => text.templates.kinds);
export { FIELD_TYPES, TEMPLATE_KINDS };

/** One field as typed: every input is a string until it is sent. */
export interface FieldDraft {
  /** a local id for React lists (not sent) */
  uid: string;
  key: string;
  /** whether the key was typed by hand (otherwise it follows the label) */
  keyEdited: boolean;
  label: string;
  type: FieldType;
  required: boolean;
  /** one option a line */
  options: string;
  unit: string;
  min: string;
  max: string;
  help: string;
}

export interface TemplateDraft {
  name: string;
  kind: TemplateKind;
  fields: FieldDraft[];
}

/** A stored template as the API answers it (a clinic's, or a global one). */
export interface StoredTemplate {
  name: string;
  kind: TemplateKind;
  fields: readonly TemplateFieldDef[];
}

/** TemplateInput as the API takes it: only the attributes a field's type has. */
export interface TemplateFieldInput {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  options?: string[];
  unit?: string;
  min?: number;
  max?: number;
  help?: string;
}
export interface TemplateInput {
  name: string;
  kind: TemplateKind;
  fields: TemplateFieldInput[];
}

let counter = 0;
const uid = () => `f${++counter}`;

export function emptyField(): FieldDraft {
  return { uid: uid(), key: '', keyEdited: false, label: '', type: 'TEXT', required: false, options: '', unit: '', min: '', max: '', help: '' };
}

/** A new template: one empty field. */
export const emptyDraft = (kind: TemplateKind = 'INTAKE'): TemplateDraft => ({ name: '', kind, fields: [emptyField()] });

/** A stored template to edit: its keys stay as they are (answers already recorded use them). */
export function draftOf(template: StoredTemplate): TemplateDraft {
  return {
    name: template.name,
    kind: template.kind,
    fields: template.fields.map((f) => ({
      uid: uid(),
      key: f.key,
      keyEdited: true,
      label: f.label,
      type: f.type,
      required: f.required,
      options: (f.options ?? []).join('\n'),
      unit: f.unit ?? '',
      min: f.min === null ? '' : String(f.min),
      max: f.max === null ? '' : String(f.max),
      help: f.help ?? '',
    })),
  };
}

/** "Chief complaint (main)" → "chiefComplaintMain". */
export function keyFromLabel(label: string): string {
  const words = label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  const key = words.map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())).join('');
  const start = key.search(/[a-z]/);
  return start < 0 ? '' : key.slice(start, start + 64);
}

export const optionList = (text: string) =>
  text
    .split('\n')
    .map((o) => o.trim())
    .filter((o) => o !== '');

const isChoice = (type: FieldType) => type === 'CHOICE' || type === 'MULTI_CHOICE';

/** The path of one attribute of field `index` (`fields[2].options`), as the API names it. */
export const fieldAt = (index: number, attribute: string) => `fields[${index}].${attribute}`;

/** Whether the editor shows a control for an error's path (else the error goes above the form). */
export const shownByEditor = (path: string) => path === 'name' || path === 'kind' || path === 'fields' || /^fields\[\d+\]\.[a-z]+$/.test(path);

/** Problems keyed by control path ("name", "fields", "fields[2].options"); empty when the draft can be sent. */
export function validateTemplate(draft: TemplateDraft): Record<string, string> {
  const text = uiText().templates.problems;
  const problems: Record<string, string> = {};
  const name = draft.name.trim();
  if (!name) problems.name = text.nameMissing;
  else if (name.length > MAX_LENGTH.name) problems.name = fill(text.nameTooLong, { max: MAX_LENGTH.name });
  if (draft.fields.length === 0) problems.fields = text.noFields;
  if (draft.fields.length > MAX_FIELDS) problems.fields = fill(text.tooManyFields, { max: MAX_FIELDS });
  const keys = new Map<string, number>();
  draft.fields.forEach((field, i) => {
    const at = (attribute: string) => fieldAt(i, attribute);
    const label = field.label.trim();
    if (!label) problems[at('label')] = text.labelMissing;
    else if (label.length > MAX_LENGTH.label) problems[at('label')] = fill(text.tooLong, { max: MAX_LENGTH.label });
    const key = field.key.trim();
    if (!FIELD_KEY.test(key)) {
      problems[at('key')] = text.keyPattern;
    } else if (keys.has(key)) {
      problems[at('key')] = fill(text.keyTaken, { number: keys.get(key)! + 1 });
    } else keys.set(key, i);
    if (isChoice(field.type)) {
      const options = optionList(field.options);
      if (options.length < 2) problems[at('options')] = text.tooFewOptions;
      else if (options.length > MAX_OPTIONS) problems[at('options')] = fill(text.tooManyOptions, { max: MAX_OPTIONS });
      else if (new Set(options).size !== options.length) problems[at('options')] = text.sameOptions;
      else if (options.some((o) => o.length > MAX_LENGTH.option)) problems[at('options')] = fill(text.optionTooLong, { max: MAX_LENGTH.option });
    }
    if (field.type === 'NUMBER') {
      const min = field.min.trim() === '' ? null : Number(field.min);
      const max = field.max.trim() === '' ? null : Number(field.max);
      if (min !== null && !Number.isFinite(min)) problems[at('min')] = text.notANumber;
      if (max !== null && !Number.isFinite(max)) problems[at('max')] = text.notANumber;
      if (min !== null && max !== null && Number.isFinite(min) && Number.isFinite(max) && min > max) {
        problems[at('max')] = fill(text.maxBelowMin, { min });
      }
      if (field.unit.trim().length > MAX_LENGTH.unit) problems[at('unit')] = fill(text.tooLong, { max: MAX_LENGTH.unit });
    }
    if (field.help.trim().length > MAX_LENGTH.help) problems[at('help')] = fill(text.tooLong, { max: MAX_LENGTH.help });
  });
  return problems;
}

/** The draft as TemplateInput: only the attributes its type has. */
export function toInput(draft: TemplateDraft): TemplateInput {
  return {
    name: draft.name.trim(),
    kind: draft.kind,
    fields: draft.fields.map((f) => {
      const field: TemplateFieldInput = { key: f.key.trim(), label: f.label.trim(), type: f.type, required: f.required };
      if (f.help.trim()) field.help = f.help.trim();
      if (isChoice(f.type)) field.options = optionList(f.options);
      if (f.type === 'NUMBER') {
        if (f.unit.trim()) field.unit = f.unit.trim();
        if (f.min.trim() !== '') field.min = Number(f.min);
        if (f.max.trim() !== '') field.max = Number(f.max);
      }
      return field;
    }),
  };
}
