import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { Empty, ErrorBox, focusFirstError, formatDateTime, formErrors, Loading, PageTitle, plainMessage } from '@clinicult/web-ui';
import { draftOf, emptyDraft, shownByEditor, TemplateBuilder, toInput, validateTemplate, type TemplateDraft } from '@clinicult/web-ui/templates';
import { CreateTemplateDocument, SetTemplateActiveDocument, TemplatesDocument, UpdateTemplateDocument, type Template } from '../../graphql';

/** A new template, or the next version of one: the shared template editor in this page's form. */
function Builder({ template, onDone }: { template: Template | null; onDone: () => void }) {
  const [create, creating] = useMutation(CreateTemplateDocument, { refetchQueries: [TemplatesDocument] });
  const [update, updating] = useMutation(UpdateTemplateDocument, { refetchQueries: [TemplatesDocument] });
  const [draft, setDraft] = useState<TemplateDraft>(() => (template ? draftOf(template) : emptyDraft()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const form = useRef<HTMLFormElement>(null);
  const busy = creating.loading || updating.loading;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problems = validateTemplate(draft);
    setErrors(problems);
    if (Object.keys(problems).length) return focusFirstError(form.current);
    try {
      if (template) await update({ variables: { id: template.id, input: toInput(draft) } });
      else await create({ variables: { input: toInput(draft) } });
      onDone();
    } catch (error) {
      setErrors(formErrors(error, shownByEditor));
      focusFirstError(form.current);
    }
  }

  return (
    <form ref={form} className="card" onSubmit={onSubmit} noValidate aria-labelledby="builder-title">
      <h2 id="builder-title">{template ? `Edit “${template.name}” (saving creates version ${template.version + 1})` : 'New template'}</h2>
      <ErrorBox>{errors._form}</ErrorBox>
      <TemplateBuilder draft={draft} errors={errors} onChange={setDraft} disabled={busy} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
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
