import { useMutation, useQuery } from '@apollo/client';
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { ConfirmDialog, Empty, ErrorBox, focusFirstError, formatDateTime, formErrors, Loading, PageTitle } from '@clinicult/web-ui';
import { draftOf, emptyDraft, FIELD_TYPE_LABELS, shownByEditor, TemplateBuilder, toInput, validateTemplate, type TemplateDraft } from '@clinicult/web-ui/templates';
import {
  CreateGlobalTemplateDocument,
  GlobalTemplateDocument,
  RetireGlobalTemplateDocument,
  UpdateGlobalTemplateDocument,
  type GlobalTemplate,
} from '../graphql';
import { useSession } from '../session';

export function TemplateEditorPage() {
  const { id } = useParams();
  if (!id) return <TemplateEditor template={null} />;
  return <ExistingTemplate id={id} />;
}

function ExistingTemplate({ id }: { id: string }) {
  const { data, loading, error, refetch } = useQuery(GlobalTemplateDocument, { variables: { id } });
  if (loading && !data) return <Loading what="Loading the template" />;
  const template = data?.globalTemplate;
  if (!template) {
    return (
      <section>
        <p className="crumbs">
          <Link to="/templates">Global templates</Link> ›
        </p>
        <PageTitle title="Template">Template</PageTitle>
        {error ? (
          <ErrorBox error={error}>
            <button type="button" className="secondary" onClick={() => void refetch()}>
              Try again
            </button>
          </ErrorBox>
        ) : (
          <Empty>
            <p>There is no global template with this id.</p>
          </Empty>
        )}
      </section>
    );
  }
  return <TemplateEditor key={template.id} template={template} />;
}

function TemplateEditor({ template }: { template: GlobalTemplate | null }) {
  const { can } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const write = can('clinicult:platform:write');
  const [draft, setDraft] = useState<TemplateDraft>(() =>
    template ? draftOf(template) : emptyDraft(),
  );
  const [draftVersion, setDraftVersion] = useState(template?.version);
  // a newly published version (or a retirement) replaces the draft with what is stored
  if (template && template.version !== draftVersion) {
    setDraftVersion(template.version);
    setDraft(draftOf(template));
  }
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [published, setPublished] = useState<string | null>((location.state as { published?: string } | null)?.published ?? null);
  const [retireOpen, setRetireOpen] = useState(false);
  const [retireError, setRetireError] = useState<unknown>(null);
  const [create, creating] = useMutation(CreateGlobalTemplateDocument);
  const [update, updating] = useMutation(UpdateGlobalTemplateDocument);
  const [retire, retiring] = useMutation(RetireGlobalTemplateDocument);
  const busy = creating.loading || updating.loading;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPublished(null);
    const problems = validateTemplate(draft);
    setErrors(problems);
    if (Object.keys(problems).length) {
      // move to the first problem so keyboard and screen-reader users find it
      return focusFirstError();
    }
    try {
      if (template) {
        const { data } = await update({ variables: { id: template.id, input: toInput(draft) } });
        const next = data!.updateGlobalTemplate;
        setPublished(`Version ${next.version} published to every cluster.`);
      } else {
        const { data } = await create({ variables: { input: toInput(draft) }, refetchQueries: ['GlobalTemplates'] });
        const created = data!.createGlobalTemplate;
        navigate(`/templates/${created.id}`, { state: { published: `Version ${created.version} published to every cluster.` } });
      }
    } catch (error) {
      setErrors(formErrors(error, shownByEditor));
      focusFirstError();
    }
  }

  const title = template ? template.name : 'New global template';
  const readOnly = !write || template?.retired === true;
  return (
    <section>
      <p className="crumbs">
        <Link to="/templates">Global templates</Link> ›
      </p>
      <div className="page-head">
        <PageTitle title={title}>
          {title}
          {template ? <span className="version"> v{template.version}</span> : null}
          {template?.retired ? <span className="badge badge-suspended">Retired</span> : null}
        </PageTitle>
      </div>
      {template ? (
        <p className="note">
          {template.kind === 'INTAKE' ? 'Intake' : 'Note'} form · version {template.version} published {formatDateTime(template.publishedAt)} ·
          first published {formatDateTime(template.createdAt)}
        </p>
      ) : null}
      {published ? (
        <p className="notice" role="status">
          {published}
        </p>
      ) : null}

      {readOnly && template ? (
        <ReadOnlyTemplate template={template} />
      ) : (
        <form onSubmit={submit} noValidate>
          <ErrorBox>{errors._form}</ErrorBox>
          <TemplateBuilder draft={draft} errors={errors} onChange={setDraft} disabled={busy} />
          <div className="actions sticky-actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Publishing…' : template ? `Publish version ${template.version + 1}` : 'Publish version 1'}
            </button>
            {template ? (
              <button type="button" className="secondary" disabled={busy} onClick={() => setDraft(draftOf(template))}>
                Discard changes
              </button>
            ) : (
              <Link className="button secondary" to="/templates">
                Cancel
              </Link>
            )}
          </div>
        </form>
      )}

      {template && write && !template.retired ? (
        <section className="card" aria-labelledby="retire-title">
          <h2 id="retire-title">Retire</h2>
          <p>A retired template is no longer offered to clinics. Clinics that adopted it keep their copy.</p>
          <button type="button" className="danger" onClick={() => setRetireOpen(true)}>
            Retire template…
          </button>
          <ConfirmDialog
            open={retireOpen}
            title={`Retire ${template.name}?`}
            confirmLabel="Retire template"
            danger
            busy={retiring.loading}
            onCancel={() => {
              setRetireOpen(false);
              setRetireError(null);
            }}
            onConfirm={async () => {
              try {
                await retire({ variables: { id: template.id } });
                setRetireOpen(false);
              } catch (error) {
                setRetireError(error);
              }
            }}
          >
            <p>Clinics will no longer be offered it. This cannot be undone from the console.</p>
            <ErrorBox error={retireError} />
          </ConfirmDialog>
        </section>
      ) : null}
    </section>
  );
}

function ReadOnlyTemplate({ template }: { template: GlobalTemplate }) {
  return (
    <table className="list">
      <caption className="visually-hidden">Fields of {template.name}</caption>
      <thead>
        <tr>
          <th scope="col">Label</th>
          <th scope="col">Key</th>
          <th scope="col">Type</th>
          <th scope="col">Required</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {template.fields.map((f) => (
          <tr key={f.key}>
            <th scope="row">{f.label}</th>
            <td>
              <code>{f.key}</code>
            </td>
            <td>{FIELD_TYPE_LABELS[f.type]}</td>
            <td>{f.required ? 'Yes' : 'No'}</td>
            <td>
              {[
                f.options?.length ? `Options: ${f.options.join(', ')}` : null,
                f.unit ? `Unit: ${f.unit}` : null,
                f.min !== null ? `Min ${f.min}` : null,
                f.max !== null ? `Max ${f.max}` : null,
                f.help ? `Help: ${f.help}` : null,
              ]
                .filter(Boolean)
                .join(' · ') || '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
