import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { Empty, ErrorBox, focusFirstError, formatDateTime, InputField, Loading, PageTitle, SelectField } from '../../components/ui';
import { errorFor, fieldErrors, plainMessage } from '../../errors';
import { CreateTemplateDocument, SetTemplateActiveDocument, TemplatesDocument, UpdateTemplateDocument, type Template, type TemplateField } from '../../graphql';

const TYPES: { value: TemplateField['type']; label: string }[] = [
  { value: 'TEXT', label: 'Text' },
  { value: 'NUMBER', label: 'Number' },
  { value: 'CHOICE', label: 'One choice' },
  { value: 'MULTI_CHOICE', label: 'Several choices' },
  { value: 'DATE', label: 'Date' },
  { value: 'BOOLEAN', label: 'Yes / no' },
];

interface DraftField {
  key: string;
  label: string;
  type: TemplateField['type'];
  required: boolean;
  options: string;
  unit: string;
  min: string;
  max: string;
  help: string;
}

const emptyField = (): DraftField => ({ key: '', label: '', type: 'TEXT', required: false, options: '', unit: '', min: '', max: '', help: '' });
const toDraft = (f: TemplateField): DraftField => ({
  key: f.key,
  label: f.label,
  type: f.type,
  required: f.required,
  options: (f.options ?? []).join(', '),
  unit: f.unit ?? '',
  min: f.min == null ? '' : String(f.min),
  max: f.max == null ? '' : String(f.max),
  help: f.help ?? '',
});
/** A key from a label: "Pain level" → pain_level */
const keyOf = (label: string) =>
  label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);

function Builder({ template, onDone }: { template: Template | null; onDone: () => void }) {
  const [create, creating] = useMutation(CreateTemplateDocument, { refetchQueries: [TemplatesDocument] });
  const [update, updating] = useMutation(UpdateTemplateDocument, { refetchQueries: [TemplatesDocument] });
  const [name, setName] = useState(template?.name ?? '');
  const [kind, setKind] = useState<'INTAKE' | 'NOTE'>(template?.kind ?? 'INTAKE');
  const [fields, setFields] = useState<DraftField[]>(template ? template.fields.map(toDraft) : [emptyField()]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const form = useRef<HTMLFormElement>(null);
  const setField = (i: number, patch: Partial<DraftField>) => setFields((all) => all.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  const move = (i: number, by: number) =>
    setFields((all) => {
      const next = [...all];
      const [f] = next.splice(i, 1);
      next.splice(i + by, 0, f!);
      return next;
    });

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!name.trim()) problems.name = 'Give the template a name.';
    if (fields.length === 0) problems._form = 'Add at least one field.';
    const keys = new Set<string>();
    fields.forEach((f, i) => {
      const key = f.key.trim() || keyOf(f.label);
      if (!f.label.trim()) problems[`fields[${i}].label`] = 'Enter the question or label.';
      if (!key) problems[`fields[${i}].key`] = 'Enter a key (letters, digits, _).';
      else if (!/^[a-z][a-z0-9_]*$/.test(key)) problems[`fields[${i}].key`] = 'Lowercase letters, digits and _, starting with a letter.';
      else if (keys.has(key)) problems[`fields[${i}].key`] = 'Another field has this key.';
      keys.add(key);
      if ((f.type === 'CHOICE' || f.type === 'MULTI_CHOICE') && f.options.split(',').filter((o) => o.trim()).length < 2) {
        problems[`fields[${i}].options`] = 'Give at least two options, separated by commas.';
      }
      if (f.type === 'NUMBER') {
        if (f.min && !Number.isFinite(Number(f.min))) problems[`fields[${i}].min`] = 'A number.';
        if (f.max && !Number.isFinite(Number(f.max))) problems[`fields[${i}].max`] = 'A number.';
        if (f.min && f.max && Number(f.min) > Number(f.max)) problems[`fields[${i}].max`] = 'Must not be below the minimum.';
      }
    });
    setErrors(problems);
    if (Object.keys(problems).length) {
      requestAnimationFrame(() => focusFirstError(form.current));
      return;
    }
    const input = {
      name: name.trim(),
      kind,
      fields: fields.map((f) => ({
        key: f.key.trim() || keyOf(f.label),
        label: f.label.trim(),
        type: f.type,
        required: f.required,
        options: f.type === 'CHOICE' || f.type === 'MULTI_CHOICE' ? f.options.split(',').map((o) => o.trim()).filter(Boolean) : null,
        unit: f.type === 'NUMBER' && f.unit.trim() ? f.unit.trim() : null,
        min: f.type === 'NUMBER' && f.min ? Number(f.min) : null,
        max: f.type === 'NUMBER' && f.max ? Number(f.max) : null,
        help: f.help.trim() || null,
      })),
    };
    try {
      if (template) await update({ variables: { id: template.id, input } });
      else await create({ variables: { input } });
      onDone();
    } catch (error) {
      const byField = fieldErrors(error as Error);
      const mapped: Record<string, string> = {};
      for (const [k, v] of Object.entries(byField)) mapped[k.replace(/^input\./, '')] = v;
      if (Object.keys(mapped).length === 0 || (Object.keys(mapped).length === 1 && mapped._form)) mapped._form = byField._form ?? plainMessage(error as Error);
      setErrors(mapped);
      requestAnimationFrame(() => focusFirstError(form.current));
    }
  }

  return (
    <form ref={form} className="card builder" onSubmit={onSubmit} noValidate aria-labelledby="builder-title">
      <h2 id="builder-title">{template ? `Edit “${template.name}” (saving creates version ${template.version + 1})` : 'New template'}</h2>
      <ErrorBox>{errors._form}</ErrorBox>
      <div className="inline-form">
        <InputField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} required />
        <SelectField label="Used for" value={kind} onChange={(e) => setKind(e.target.value as 'INTAKE' | 'NOTE')} error={errors.kind}>
          <option value="INTAKE">Intake (nurse, in triage)</option>
          <option value="NOTE">Doctor’s note (consultation)</option>
        </SelectField>
      </div>
      <ol className="builder-fields">
        {fields.map((f, i) => {
          const e = (k: string) => errors[`fields[${i}].${k}`] ?? errorFor(errors, `fields[${i}].${k}`);
          return (
            <li key={i} className="builder-field">
              <fieldset>
                <legend>Field {i + 1}</legend>
                <div className="grid-4">
                  <InputField label="Label" value={f.label} onChange={(ev) => setField(i, { label: ev.target.value })} error={e('label')} required />
                  <InputField label="Key" value={f.key} placeholder={keyOf(f.label)} onChange={(ev) => setField(i, { key: ev.target.value })} error={e('key')} help="Stored with the answers; defaults from the label." />
                  <SelectField label="Type" value={f.type} onChange={(ev) => setField(i, { type: ev.target.value as DraftField['type'] })}>
                    {TYPES.map((t) => (
                      <option key={t.value} value={t.value}>
                        {t.label}
                      </option>
                    ))}
                  </SelectField>
                  <div className="field checkbox">
                    <input id={`req-${i}`} type="checkbox" checked={f.required} onChange={(ev) => setField(i, { required: ev.target.checked })} />
                    <label htmlFor={`req-${i}`}>Required</label>
                  </div>
                  {(f.type === 'CHOICE' || f.type === 'MULTI_CHOICE') && (
                    <InputField label="Options" value={f.options} onChange={(ev) => setField(i, { options: ev.target.value })} error={e('options')} help="Separated by commas." />
                  )}
                  {f.type === 'NUMBER' && (
                    <>
                      <InputField label="Unit" value={f.unit} onChange={(ev) => setField(i, { unit: ev.target.value })} error={e('unit')} />
                      <InputField label="Minimum" inputMode="decimal" value={f.min} onChange={(ev) => setField(i, { min: ev.target.value })} error={e('min')} />
                      <InputField label="Maximum" inputMode="decimal" value={f.max} onChange={(ev) => setField(i, { max: ev.target.value })} error={e('max')} />
                    </>
                  )}
                  <InputField label="Help text" value={f.help} onChange={(ev) => setField(i, { help: ev.target.value })} error={e('help')} />
                </div>
                <div className="field-tools">
                  <button type="button" className="link-button" disabled={i === 0} onClick={() => move(i, -1)}>
                    Move up
                  </button>
                  <button type="button" className="link-button" disabled={i === fields.length - 1} onClick={() => move(i, 1)}>
                    Move down
                  </button>
                  <button type="button" className="link-button" onClick={() => setFields((all) => all.filter((_, j) => j !== i))}>
                    Remove field {i + 1}
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <button type="button" onClick={() => setFields((all) => [...all, emptyField()])}>
        Add a field
      </button>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={creating.loading || updating.loading}>
          {template ? 'Save as a new version' : 'Create template'}
        </button>
        <button type="button" className="link-button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export default function Templates() {
  const { data, loading, error } = useQuery(TemplatesDocument);
  const [setActive] = useMutation(SetTemplateActiveDocument);
  const [editing, setEditing] = useState<Template | 'new' | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const templates = data?.templates ?? [];
  return (
    <section>
      <PageTitle
        actions={
          editing === null && (
            <button type="button" className="primary" onClick={() => setEditing('new')}>
              New template
            </button>
          )
        }
      >
        Templates
      </PageTitle>
      {editing !== null && <Builder key={editing === 'new' ? 'new' : editing.id} template={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      <ErrorBox>{(error && !data && `Templates cannot be loaded right now: ${plainMessage(error)}`) || rowError}</ErrorBox>
      {loading && !data ? (
        <Loading what="Loading the templates" />
      ) : templates.length === 0 ? (
        !error && <Empty>No templates yet. A template is the form the nurse (intake) or the doctor (note) fills in during a visit.</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Used for</th>
              <th scope="col">Version</th>
              <th scope="col">Fields</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {templates.map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.name}</th>
                <td>{t.kind === 'INTAKE' ? 'Intake' : 'Doctor’s note'}</td>
                <td>
                  v{t.version} <span className="muted small">{formatDateTime(t.updatedAt)}</span>
                </td>
                <td>{t.fields.map((f) => f.label).join(', ')}</td>
                <td>{t.active ? <span className="badge status-active">Active</span> : <span className="badge status-deactivated">Inactive</span>}</td>
                <td>
                  <button type="button" className="link-button" onClick={() => setEditing(t)}>
                    Edit
                  </button>{' '}
                  <button
                    type="button"
                    className="link-button"
                    onClick={async () => {
                      setRowError(null);
                      try {
                        await setActive({ variables: { id: t.id, active: !t.active } });
                      } catch (e) {
                        setRowError(plainMessage(e as Error));
                      }
                    }}
                  >
                    {t.active ? 'Deactivate' : 'Activate'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
