import type { TemplateFieldDef } from './definition.js';

/**
 * Answers to a template (recordIntake's `answers`, recordConsultation's `templateAnswers`) checked
 * against the copy of the template version the visit was started with (DESIGN.md, "The visit").
 */

export interface AnswerProblem {
  /** The field's key ("temperatureNote"); "answers" when the whole value is wrong. */
  key: string;
  message: string;
}

export type AnswerValue = string | number | boolean | string[];

export type AnswerCheck =
  | { ok: true; answers: Record<string, AnswerValue> }
  | { ok: false; problems: AnswerProblem[] };

export const MAX_TEXT_ANSWER = 5000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** An answer that says nothing: not given, null, blank text or an empty selection. */
function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

/** One answer against its field: the stored value, or the problem in plain words. */
function checkAnswer(field: TemplateFieldDef, value: unknown): { value: AnswerValue } | { problem: string } {
  switch (field.type) {
    case 'TEXT':
      if (typeof value !== 'string') return { problem: 'must be text.' };
      if (value.length > MAX_TEXT_ANSWER) return { problem: `at most ${MAX_TEXT_ANSWER} characters.` };
      return { value: value.trim() };
    case 'NUMBER': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return { problem: 'must be a number.' };
      const unit = field.unit ? ` ${field.unit}` : '';
      if (field.min !== null && value < field.min) return { problem: `must be at least ${field.min}${unit}.` };
      if (field.max !== null && value > field.max) return { problem: `must be at most ${field.max}${unit}.` };
      return { value };
    }
    case 'CHOICE':
      if (typeof value !== 'string' || !field.options?.includes(value)) {
        return { problem: `must be one of: ${(field.options ?? []).join(', ')}.` };
      }
      return { value };
    case 'MULTI_CHOICE': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return { problem: 'must be a list of options.' };
      const unknown = value.filter((v) => !field.options?.includes(v as string));
      if (unknown.length > 0) return { problem: `unknown option ${unknown.map((v) => `"${String(v)}"`).join(', ')}; choose from: ${(field.options ?? []).join(', ')}.` };
      if (new Set(value).size !== value.length) return { problem: 'lists an option twice.' };
      return { value: value as string[] };
    }
    case 'DATE':
      if (typeof value !== 'string' || !isIsoDate(value)) return { problem: 'must be a date YYYY-MM-DD, e.g. 2026-03-21.' };
      return { value };
    case 'BOOLEAN':
      if (typeof value !== 'boolean') return { problem: 'must be true or false.' };
      return { value };
    default:
      return { problem: `has an unknown field type ${String(field.type)}.` };
  }
}

/**
 * Checks every answer: unknown keys, missing required answers and wrong types or ranges are all
 * reported at once. Empty optional answers are dropped from the result.
 */
export function validateAnswers(fields: readonly TemplateFieldDef[], answers: unknown): AnswerCheck {
  if (answers === null || typeof answers !== 'object' || Array.isArray(answers)) {
    return { ok: false, problems: [{ key: 'answers', message: 'must be an object of answers keyed by field, e.g. {"smoker": false}.' }] };
  }
  const given = answers as Record<string, unknown>;
  const problems: AnswerProblem[] = [];
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) problems.push({ key, message: `is not a field of this template (its fields: ${[...known].join(', ')}).` });
  }
  const out: Record<string, AnswerValue> = {};
  for (const field of fields) {
    const value = given[field.key];
    if (isEmpty(value)) {
      if (field.required) problems.push({ key: field.key, message: `is required ("${field.label}").` });
      continue;
    }
    const checked = checkAnswer(field, value);
    if ('problem' in checked) problems.push({ key: field.key, message: checked.problem });
    else out[field.key] = checked.value;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, answers: out };
}
