import type { ChangeEvent } from 'react';
import { ErrorBox, InputField, SelectField, TextAreaField } from '../ui';
import { fill, useUiText } from '../i18n';
import { FIELD_TYPES, TEMPLATE_KINDS, emptyField, fieldAt, keyFromLabel, type FieldDraft, type TemplateDraft } from './form';
import { MAX_LENGTH, type FieldType, type TemplateKind } from './rules';
import './templates.css';

/**
 * The template editor: a template's name, kind and typed fields, inside the page's own form (which
 * checks the draft with validateTemplate and sends toInput). `errors` are keyed by the API's paths
 * ("name", "fields[2].options"), the editor's own checks and the server's alike.
 */
export function TemplateBuilder({
  draft,
  errors,
  onChange,
  disabled,
}: {
  draft: TemplateDraft;
  errors: Record<string, string | undefined>;
  onChange(draft: TemplateDraft): void;
  disabled?: boolean;
}) {
  const all = useUiText().templates;
  const text = all.builder;
  const setField = (index: number, patch: Partial<FieldDraft>) =>
    onChange({ ...draft, fields: draft.fields.map((f, i) => (i === index ? { ...f, ...patch } : f)) });
  const move = (index: number, by: number) => {
    const fields = [...draft.fields];
    const [moved] = fields.splice(index, 1);
    fields.splice(index + by, 0, moved!);
    onChange({ ...draft, fields });
  };
  /** The control of one typed attribute of field `index`: its name (the API's path), value, error and change. */
  const attribute = (index: number, name: 'label' | 'key' | 'options' | 'unit' | 'min' | 'max' | 'help') => ({
    name: fieldAt(index, name),
    value: draft.fields[index]![name],
    error: errors[fieldAt(index, name)],
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setField(index, { [name]: e.target.value }),
  });

  return (
    <fieldset className="builder" disabled={disabled}>
      <legend className="visually-hidden">{text.legend}</legend>
      <div className="builder-row">
        <InputField label={text.name} error={errors.name} name="name" value={draft.name} maxLength={MAX_LENGTH.name} onChange={(e) => onChange({ ...draft, name: e.target.value })} />
        <SelectField label={text.kind} error={errors.kind} name="kind" value={draft.kind} onChange={(e) => onChange({ ...draft, kind: e.target.value as TemplateKind })}>
          {options(TEMPLATE_KINDS, all.kinds)}
        </SelectField>
      </div>

      <h2>{text.fields}</h2>
      <ErrorBox>{errors.fields}</ErrorBox>
      <ol className="field-list">
        {draft.fields.map((field, i) => {
          const number = i + 1;
          return (
            <li key={field.uid} className="card field-card" aria-label={field.label ? fill(text.fieldLabelled, { number, label: field.label }) : fill(text.field, { number })}>
              <div className="card-head">
                <h3>{fill(text.field, { number })}</h3>
                <div className="field-tools">
                  <button type="button" className="secondary small" onClick={() => move(i, -1)} disabled={i === 0} aria-label={fill(text.moveUp, { number })}>
                    ↑
                  </button>
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => move(i, 1)}
                    disabled={i === draft.fields.length - 1}
                    aria-label={fill(text.moveDown, { number })}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="link danger-text"
                    onClick={() => onChange({ ...draft, fields: draft.fields.filter((_, j) => j !== i) })}
                    aria-label={fill(text.removeField, { number })}
                  >
                    {text.remove}
                  </button>
                </div>
              </div>
              <div className="builder-row">
                <InputField
                  label={text.label}
                  {...attribute(i, 'label')}
                  // the key follows the label until it is typed by hand
                  onChange={(e) => setField(i, { label: e.target.value, ...(field.keyEdited ? {} : { key: keyFromLabel(e.target.value) }) })}
                />
                <InputField
                  label={text.key}
                  help={text.keyHelp}
                  spellCheck={false}
                  {...attribute(i, 'key')}
                  onChange={(e) => setField(i, { key: e.target.value, keyEdited: true })}
                />
                <SelectField label={text.type} error={errors[fieldAt(i, 'type')]} name={fieldAt(i, 'type')} value={field.type} onChange={(e) => setField(i, { type: e.target.value as FieldType })}>
                  {options(FIELD_TYPES, all.fieldTypes)}
                </SelectField>
              </div>
              {field.type === 'NUMBER' ? (
                <div className="builder-row">
                  <InputField label={text.unit} help={text.unitHelp} {...attribute(i, 'unit')} />
                  <InputField label={text.min} inputMode="decimal" {...attribute(i, 'min')} />
                  <InputField label={text.max} inputMode="decimal" {...attribute(i, 'max')} />
                </div>
              ) : null}
              {field.type === 'CHOICE' || field.type === 'MULTI_CHOICE' ? (
                <TextAreaField label={text.options} help={text.optionsHelp} rows={4} {...attribute(i, 'options')} />
              ) : null}
              <InputField label={text.help} help={text.helpHelp} {...attribute(i, 'help')} />
              <label className="checkbox">
                <input type="checkbox" name={fieldAt(i, 'required')} checked={field.required} onChange={(e) => setField(i, { required: e.target.checked })} />
                {text.required}
              </label>
            </li>
          );
        })}
      </ol>
      <button type="button" className="secondary" onClick={() => onChange({ ...draft, fields: [...draft.fields, emptyField()] })}>
        {text.addField}
      </button>
    </fieldset>
  );
}

/** A select's options: each value with its label. */
function options<V extends string>(values: readonly V[], labels: Readonly<Record<V, string>>) {
  return values.map((value) => (
    <option key={value} value={value}>
      {labels[value]}
    </option>
  ));
}
