import type { TFunction } from 'i18next';
import type { TemplateField } from '../graphql';
import { Field, formatDate, formatNumber } from '@clinicult/web-ui';
import { i18n, useTranslation } from '../i18n';

export type Answers = Record<string, unknown>;

/** A visit's answers as the API hands them over (JSON: an object of answers keyed by field, or null). */
export const answersOf = (json: unknown): Answers => (json && typeof json === 'object' && !Array.isArray(json) ? { ...(json as Answers) } : {});

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** A field's unit as the messages end with it: a space and the unit, or nothing. */
const unitSuffix = (field: Pick<TemplateField, 'unit'>) => (field.unit ? ` ${field.unit}` : '');

/** A number in the app's language, every decimal kept (English's catalogue shows numbers bare, as before). */
const shown = (n: number) => formatNumber(n, { maximumFractionDigits: 20 });

/**
 * Checks answers against the template's fields: required, number ranges, choices. `t`: the caller's,
 * so the messages are in the language shown (by default the app's current one).
 */
export function validateAnswers(fields: TemplateField[], answers: Answers, t: TFunction = i18n.t.bind(i18n)): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const value = answers[field.key];
    if (isEmpty(value)) {
      if (field.required) errors[field.key] = t('admin.templateForm.required', { label: field.label });
      continue;
    }
    if (field.type === 'NUMBER') {
      const n = Number(value);
      const unit = unitSuffix(field);
      if (!Number.isFinite(n)) errors[field.key] = t('admin.templateForm.notNumber', { label: field.label });
      else if (field.min !== null && n < field.min) errors[field.key] = t('admin.templateForm.atLeast', { label: field.label, min: field.min, minShown: shown(field.min), unit });
      else if (field.max !== null && n > field.max) errors[field.key] = t('admin.templateForm.atMost', { label: field.label, max: field.max, maxShown: shown(field.max), unit });
    }
  }
  return errors;
}

/** The answers as the API takes them: numbers as numbers, empty ones left out. */
export function cleanAnswers(fields: TemplateField[], answers: Answers): Answers {
  const out: Answers = {};
  for (const field of fields) {
    const value = answers[field.key];
    if (isEmpty(value)) continue;
    out[field.key] = field.type === 'NUMBER' ? Number(value) : value;
  }
  return out;
}

/** One control per template field, typed: TEXT NUMBER (unit, min, max) CHOICE MULTI_CHOICE DATE BOOLEAN. */
export function TemplateFields({
  fields,
  answers,
  errors,
  onChange,
  idPrefix,
}: {
  fields: TemplateField[];
  answers: Answers;
  errors: Record<string, string>;
  onChange: (answers: Answers) => void;
  idPrefix: string;
}) {
  const { t } = useTranslation();
  const set = (key: string, value: unknown) => onChange({ ...answers, [key]: value });
  return (
    <div className="template-fields">
      {fields.map((field) => {
        const value = answers[field.key];
        const error = errors[field.key];
        if (field.type === 'BOOLEAN') {
          const id = `${idPrefix}-${field.key}`;
          return (
            <div key={field.key} className={`field checkbox${error ? ' has-error' : ''}`}>
              <input id={id} type="checkbox" checked={value === true} onChange={(e) => set(field.key, e.target.checked)} aria-invalid={error ? true : undefined} aria-describedby={field.help ? `${id}-help` : undefined} />
              <label htmlFor={id}>
                {field.label}
                {field.required && <span className="required" aria-hidden="true"> *</span>}
              </label>
              {field.help && (
                <div className="help" id={`${id}-help`}>
                  {field.help}
                </div>
              )}
              {error && <div className="field-error">{error}</div>}
            </div>
          );
        }
        if (field.type === 'MULTI_CHOICE') {
          const chosen = Array.isArray(value) ? (value as string[]) : [];
          return (
            <fieldset key={field.key} className={`field choices${error ? ' has-error' : ''}`}>
              <legend>
                {field.label}
                {field.required && <span className="required" aria-hidden="true"> *</span>}
              </legend>
              {field.help && <div className="help">{field.help}</div>}
              {(field.options ?? []).map((option) => (
                <label key={option} className="choice">
                  <input
                    type="checkbox"
                    checked={chosen.includes(option)}
                    onChange={(e) => set(field.key, e.target.checked ? [...chosen, option] : chosen.filter((o) => o !== option))}
                  />{' '}
                  {option}
                </label>
              ))}
              {error && <div className="field-error">{error}</div>}
            </fieldset>
          );
        }
        const range =
          field.type === 'NUMBER' && (field.min !== null || field.max !== null)
            ? t('admin.templateForm.range', {
                min: field.min ?? '…',
                max: field.max ?? '…',
                minShown: field.min === null ? '…' : shown(field.min),
                maxShown: field.max === null ? '…' : shown(field.max),
                unit: unitSuffix(field),
              })
            : null;
        const help = [field.help, range].filter(Boolean).join(' ');
        return (
          <Field
            key={field.key}
            label={field.unit ? t('admin.templateForm.withUnit', { label: field.label, symbol: field.unit }) : field.label}
            error={error}
            help={help || undefined}
            required={field.required}
          >
            {(props) =>
              field.type === 'CHOICE' ? (
                <select {...props} value={typeof value === 'string' ? value : ''} onChange={(e) => set(field.key, e.target.value)}>
                  <option value="">{t('admin.templateForm.choose')}</option>
                  {(field.options ?? []).map((o) => (
                    <option key={o}>{o}</option>
                  ))}
                </select>
              ) : field.type === 'TEXT' ? (
                <textarea {...props} rows={2} value={typeof value === 'string' ? value : ''} onChange={(e) => set(field.key, e.target.value)} />
              ) : (
                <input
                  {...props}
                  type={field.type === 'NUMBER' ? 'number' : 'date'}
                  step={field.type === 'NUMBER' ? 'any' : undefined}
                  min={field.type === 'NUMBER' ? (field.min ?? undefined) : undefined}
                  max={field.type === 'NUMBER' ? (field.max ?? undefined) : undefined}
                  value={value === undefined || value === null ? '' : String(value)}
                  onChange={(e) => set(field.key, e.target.value)}
                />
              )
            }
          </Field>
        );
      })}
    </div>
  );
}

/** Answers read back, for those who see them but do not edit them. */
export function AnswersList({ fields, answers: json }: { fields: TemplateField[]; answers: unknown }) {
  const { t } = useTranslation();
  const answers = answersOf(json);
  if (Object.keys(answers).length === 0) return <p className="muted">{t('admin.templateForm.noAnswers')}</p>;
  return (
    <dl className="facts">
      {fields
        .filter((f) => !isEmpty(answers[f.key]))
        .map((f) => {
          const v = answers[f.key];
          return (
            <div key={f.key} className="fact">
              <dt>{f.label}</dt>
              <dd>
                {Array.isArray(v)
                  ? v.join(', ')
                  : typeof v === 'boolean'
                    ? v
                      ? t('admin.templateForm.yes')
                      : t('admin.templateForm.no')
                    : t('admin.templateForm.answer', {
                        value: String(v),
                        valueShown: typeof v === 'number' ? shown(v) : f.type === 'DATE' && typeof v === 'string' ? formatDate(v) : String(v),
                        unit: unitSuffix(f),
                      })}
              </dd>
            </div>
          );
        })}
    </dl>
  );
}
