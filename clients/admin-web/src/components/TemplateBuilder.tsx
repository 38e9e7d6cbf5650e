import { ErrorNote, Field } from './ui';
import type { TemplateFieldType, TemplateKind } from '../graphql';
import { FIELD_TYPE_LABELS, FIELD_TYPES, KIND_LABELS, emptyField, keyFromLabel, type FieldDraft, type TemplateDraft } from '../templateForm';

/** The form builder: a template's name, kind and typed fields (errors keyed "name", "fields.2.options"). */
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
  const setField = (index: number, patch: Partial<FieldDraft>) =>
    onChange({ ...draft, fields: draft.fields.map((f, i) => (i === index ? { ...f, ...patch } : f)) });
  const move = (index: number, by: number) => {
    const fields = [...draft.fields];
    const [moved] = fields.splice(index, 1);
    fields.splice(index + by, 0, moved!);
    onChange({ ...draft, fields });
  };

  return (
    <fieldset className="builder" disabled={disabled}>
      <legend className="visually-hidden">Template</legend>
      <div className="row">
        <Field label="Template name" error={errors.name}>
          {(props) => (
            <input {...props} name="name" value={draft.name} maxLength={120} onChange={(e) => onChange({ ...draft, name: e.target.value })} />
          )}
        </Field>
        <Field label="Kind" error={errors.kind}>
          {(props) => (
            <select {...props} name="kind" value={draft.kind} onChange={(e) => onChange({ ...draft, kind: e.target.value as TemplateKind })}>
              {(Object.keys(KIND_LABELS) as TemplateKind[]).map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>

      <h2>Fields</h2>
      <ErrorNote>{errors.fields ? <p>{errors.fields}</p> : null}</ErrorNote>
      <ol className="field-list">
        {draft.fields.map((field, i) => {
          const err = (attr: string) => errors[`fields.${i}.${attr}`];
          const number = i + 1;
          return (
            <li key={field.uid} className="card field-card" aria-label={`Field ${number}${field.label ? `: ${field.label}` : ''}`}>
              <div className="card-head">
                <h3>Field {number}</h3>
                <div className="field-tools">
                  <button type="button" className="secondary small" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move field ${number} up`}>
                    ↑
                  </button>
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => move(i, 1)}
                    disabled={i === draft.fields.length - 1}
                    aria-label={`Move field ${number} down`}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="link danger-text"
                    onClick={() => onChange({ ...draft, fields: draft.fields.filter((_, j) => j !== i) })}
                    aria-label={`Remove field ${number}`}
                  >
                    Remove
                  </button>
                </div>
              </div>
              <div className="row">
                <Field label="Label" error={err('label')}>
                  {(props) => (
                    <input
                      {...props}
                      name={`fields.${i}.label`}
                      value={field.label}
                      onChange={(e) =>
                        setField(i, { label: e.target.value, ...(field.keyEdited ? {} : { key: keyFromLabel(e.target.value) }) })
                      }
                    />
                  )}
                </Field>
                <Field label="Key" error={err('key')} hint="Names the answer in data exports, e.g. chiefComplaint.">
                  {(props) => (
                    <input
                      {...props}
                      name={`fields.${i}.key`}
                      value={field.key}
                      spellCheck={false}
                      onChange={(e) => setField(i, { key: e.target.value, keyEdited: true })}
                    />
                  )}
                </Field>
                <Field label="Type" error={err('type')}>
                  {(props) => (
                    <select
                      {...props}
                      name={`fields.${i}.type`}
                      value={field.type}
                      onChange={(e) => setField(i, { type: e.target.value as TemplateFieldType })}
                    >
                      {FIELD_TYPES.map((t) => (
                        <option key={t} value={t}>
                          {FIELD_TYPE_LABELS[t]}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              </div>
              {field.type === 'NUMBER' ? (
                <div className="row">
                  <Field label="Unit" error={err('unit')} hint="e.g. kg, mmHg (optional)">
                    {(props) => <input {...props} name={`fields.${i}.unit`} value={field.unit} onChange={(e) => setField(i, { unit: e.target.value })} />}
                  </Field>
                  <Field label="Minimum" error={err('min')}>
                    {(props) => (
                      <input {...props} name={`fields.${i}.min`} inputMode="decimal" value={field.min} onChange={(e) => setField(i, { min: e.target.value })} />
                    )}
                  </Field>
                  <Field label="Maximum" error={err('max')}>
                    {(props) => (
                      <input {...props} name={`fields.${i}.max`} inputMode="decimal" value={field.max} onChange={(e) => setField(i, { max: e.target.value })} />
                    )}
                  </Field>
                </div>
              ) : null}
              {field.type === 'CHOICE' || field.type === 'MULTI_CHOICE' ? (
                <Field label="Options" error={err('options')} hint="One per line, at least 2.">
                  {(props) => (
                    <textarea {...props} name={`fields.${i}.options`} rows={4} value={field.options} onChange={(e) => setField(i, { options: e.target.value })} />
                  )}
                </Field>
              ) : null}
              <Field label="Help text" error={err('help')} hint="Shown under the question (optional).">
                {(props) => <input {...props} name={`fields.${i}.help`} value={field.help} onChange={(e) => setField(i, { help: e.target.value })} />}
              </Field>
              <label className="checkbox">
                <input type="checkbox" name={`fields.${i}.required`} checked={field.required} onChange={(e) => setField(i, { required: e.target.checked })} />
                Required
              </label>
            </li>
          );
        })}
      </ol>
      <button type="button" className="secondary" onClick={() => onChange({ ...draft, fields: [...draft.fields, emptyField()] })}>
        Add field
      </button>
    </fieldset>
  );
}
