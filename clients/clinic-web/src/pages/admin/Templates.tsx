import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { Empty, ErrorBox, focusFirstError, formatDateTime, formErrors, Loading, PageTitle, plainMessage } from '@clinicult/web-ui';
import { draftOf, emptyDraft, shownByEditor, TemplateBuilder, toInput, validateTemplate, type TemplateDraft } from '@clinicult/web-ui/templates';
import { CreateTemplateDocument, SetTemplateActiveDocument, TemplatesDocument, UpdateTemplateDocument, type Template } from '../../graphql';
import { useTranslation } from '../../i18n';

/** A new template, or the next version of one: the shared template editor in this page's form. */
function Builder({ template, onDone }: { template: Template | null; onDone: () => void }) {
  const { t } = useTranslation();
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
      <h2 id="builder-title">{template ? t('admin.templates.editTitle', { name: template.name, version: template.version + 1 }) : t('admin.templates.new')}</h2>
      <ErrorBox>{errors._form}</ErrorBox>
      <TemplateBuilder draft={draft} errors={errors} onChange={setDraft} disabled={busy} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {template ? t('admin.templates.saveVersion') : t('admin.templates.create')}
        </button>
        <button type="button" className="link-button" onClick={onDone}>
          {t('admin.templates.cancel')}
        </button>
      </div>
    </form>
  );
}

export default function Templates() {
  const { t } = useTranslation();
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
              {t('admin.templates.new')}
            </button>
          )
        }
      >
        {t('admin.templates.title')}
      </PageTitle>
      {editing !== null && <Builder key={editing === 'new' ? 'new' : editing.id} template={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      <ErrorBox>{(error && !data && t('admin.templates.loadError', { error: plainMessage(error) })) || rowError}</ErrorBox>
      {loading && !data ? (
        <Loading what={t('admin.templates.loading')} />
      ) : templates.length === 0 ? (
        !error && <Empty>{t('admin.templates.empty')}</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('admin.templates.name')}</th>
              <th scope="col">{t('admin.templates.usedFor')}</th>
              <th scope="col">{t('admin.templates.version')}</th>
              <th scope="col">{t('admin.templates.fields')}</th>
              <th scope="col">{t('admin.templates.status')}</th>
              <th scope="col">{t('admin.templates.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {templates.map((tpl) => (
              <tr key={tpl.id}>
                <th scope="row">{tpl.name}</th>
                <td>{tpl.kind === 'INTAKE' ? t('admin.templates.kind.INTAKE') : t('admin.templates.kind.NOTE')}</td>
                <td>
                  {t('admin.templates.versionShort', { version: tpl.version })} <span className="muted small">{formatDateTime(tpl.updatedAt)}</span>
                </td>
                <td>{tpl.fields.map((f) => f.label).join(', ')}</td>
                <td>
                  {tpl.active ? (
                    <span className="badge status-active">{t('admin.templates.active')}</span>
                  ) : (
                    <span className="badge status-deactivated">{t('admin.templates.inactive')}</span>
                  )}
                </td>
                <td>
                  <button type="button" className="link-button" onClick={() => setEditing(tpl)}>
                    {t('admin.templates.edit')}
                  </button>{' '}
                  <button
                    type="button"
                    className="link-button"
                    onClick={async () => {
                      setRowError(null);
                      try {
                        await setActive({ variables: { id: tpl.id, active: !tpl.active } });
                      } catch (e) {
                        setRowError(plainMessage(e as Error));
                      }
                    }}
                  >
                    {tpl.active ? t('admin.templates.deactivate') : t('admin.templates.activate')}
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
