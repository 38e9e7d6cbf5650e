import { useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import {
  ConfirmDialog,
  Empty,
  ErrorBox,
  errorCode,
  errorFor,
  fieldErrors,
  focusFirstError,
  formatDateTime,
  InputField,
  Loading,
  Notice,
  PageTitle,
  plainMessage,
  TextAreaField,
} from '@clinicult/web-ui';
import { graphqlEndpoint } from '../../config';
import { ApiClientsDocument, RegisterApiClientDocument, RevokeApiClientDocument, type ApiClientFieldsFragment } from '../../graphql';
import { useTranslation } from '../../i18n';
import { useCan, useSession } from '../../session';

/** The scopes the form offers: read and search of each resource type the FHIR API serves, and Patient's writes. */
const SCOPE_OPTIONS: { scope: string; type: string; kind: 'readSearch' | 'createUpdate'; medical: boolean }[] = [
  { scope: 'system/Patient.rs', type: 'Patient', kind: 'readSearch', medical: false },
  { scope: 'system/Patient.cu', type: 'Patient', kind: 'createUpdate', medical: false },
  { scope: 'system/Encounter.rs', type: 'Encounter', kind: 'readSearch', medical: false },
  { scope: 'system/Observation.rs', type: 'Observation', kind: 'readSearch', medical: true },
  { scope: 'system/Condition.rs', type: 'Condition', kind: 'readSearch', medical: true },
  { scope: 'system/MedicationRequest.rs', type: 'MedicationRequest', kind: 'readSearch', medical: true },
  { scope: 'system/AllergyIntolerance.rs', type: 'AllergyIntolerance', kind: 'readSearch', medical: true },
  { scope: 'system/MedicationStatement.rs', type: 'MedicationStatement', kind: 'readSearch', medical: true },
  { scope: 'system/Practitioner.rs', type: 'Practitioner', kind: 'readSearch', medical: false },
  { scope: 'system/Organization.rs', type: 'Organization', kind: 'readSearch', medical: false },
];

/**
 * The API the clinic's requests go to (its region's, else the one the app is configured with; as
 * apollo.ts chooses), without /graphql: the gateway that also serves /oauth/token and /fhir.
 */
function apiBase(regionApi: string | null | undefined): string {
  const endpoint = regionApi ?? graphqlEndpoint();
  return new URL(endpoint, window.location.href).toString().replace(/\/+$/, '').replace(/\/graphql$/, '');
}

type Problems = Record<string, string | undefined>;

/**
 * ADMIN: the clinic's FHIR API clients (issue 18, SMART Backend Services). Another health system
 * gets a credential of its own: register it here with its public keys (a JWKS) and the system
 * scopes it may use, give its integrator the client id and the token endpoint, revoke it when the
 * connection ends. Medical scopes only from an ADMIN who may read medical data (FORBIDDEN otherwise).
 */
export default function Integrations() {
  const { t } = useTranslation();
  const session = useSession();
  const allowed = useCan();
  const { data, loading, error, refetch } = useQuery(ApiClientsDocument, { fetchPolicy: 'cache-and-network' });
  const [register, registering] = useMutation(RegisterApiClientDocument);
  const [revoke, revoking] = useMutation(RevokeApiClientDocument);
  const [name, setName] = useState('');
  const [jwks, setJwks] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [errors, setErrors] = useState<Problems>({});
  const [registered, setRegistered] = useState<ApiClientFieldsFragment | null>(null);
  const [toRevoke, setToRevoke] = useState<ApiClientFieldsFragment | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const ids = useId();
  const clients = data?.apiClients ?? [];
  const base = apiBase(session?.apiUrl);
  const addresses = [
    { label: t('admin.integrations.tokenEndpoint'), url: `${base}/oauth/token` },
    { label: t('admin.integrations.discovery'), url: `${base}/fhir/.well-known/smart-configuration` },
    { label: t('admin.integrations.fhirBase'), url: `${base}/fhir` },
  ];
  const canGrantMedical = allowed('medical:read');

  function toggle(scope: string, on: boolean) {
    setScopes((chosen) => (on ? SCOPE_OPTIONS.map((o) => o.scope).filter((s) => s === scope || chosen.includes(s)) : chosen.filter((s) => s !== scope)));
  }

  /** A refusal's problems keyed by field: name, jwks, scopes (the group), scope:<scope> (one box), _form. */
  function problemsOf(e: unknown, sent: readonly string[]): Problems {
    if (errorCode(e) === 'FORBIDDEN' && sent.some((s) => SCOPE_OPTIONS.find((o) => o.scope === s)?.medical)) {
      return { _form: t('admin.integrations.medicalRefused') };
    }
    const byPath = fieldErrors(e);
    const out: Problems = {};
    const add = (key: string, message: string) => (out[key] = out[key] ? `${out[key]} ${message}` : message);
    for (const [path, message] of Object.entries(byPath)) {
      const one = /^input\.scopes\[(\d+)\]$/.exec(path);
      const scope = one ? sent[Number(one[1])] : undefined;
      if (scope) add(`scope:${scope}`, message);
      else if (path === 'input.name' || path === 'input.jwks' || path.startsWith('input.scopes')) add(path.replace(/^input\./, '').replace(/\[.*$/, ''), message);
      else add('_form', message);
    }
    if (Object.keys(out).length === 0) out._form = plainMessage(e);
    return out;
  }

  async function onRegister(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    const checks: Problems = {};
    if (!name.trim()) checks.name = t('admin.integrations.nameMissing');
    if (!jwks.trim()) checks.jwks = t('admin.integrations.jwksMissing');
    if (scopes.length === 0) checks.scopes = t('admin.integrations.scopesMissing');
    setErrors(checks);
    if (Object.keys(checks).length > 0) return focusFirstError(form.current);
    const sent = [...scopes];
    try {
      const { data: answer } = await register({ variables: { input: { name: name.trim(), jwks: jwks.trim(), scopes: sent } } });
      setRegistered(answer!.registerApiClient);
      setName('');
      setJwks('');
      setScopes([]);
      await refetch();
    } catch (e) {
      setErrors(problemsOf(e, sent));
      focusFirstError(form.current);
    }
  }

  async function onRevoke() {
    if (!toRevoke) return;
    try {
      await revoke({ variables: { id: toRevoke.id } });
      await refetch();
    } catch (e) {
      setProblem(plainMessage(e as Error));
    } finally {
      setToRevoke(null);
    }
  }

  const scopeHelpId = `${ids}-scopes-help`;
  const scopeErrorId = `${ids}-scopes-error`;
  const scopeGroupError = errors.scopes;

  return (
    <section>
      <PageTitle>{t('admin.integrations.title')}</PageTitle>
      <p className="muted">{t('admin.integrations.intro')}</p>
      <ErrorBox>{problem ?? (error && !data ? plainMessage(error) : null)}</ErrorBox>
      <div className="card" role="group" aria-labelledby={`${ids}-endpoints`}>
        <h2 id={`${ids}-endpoints`}>{t('admin.integrations.endpointsTitle')}</h2>
        <p className="muted small">{t('admin.integrations.endpointsHelp')}</p>
        <dl>
          {addresses.map((a) => (
            <div key={a.url}>
              <dt>{a.label}</dt>
              <dd>
                <code>{a.url}</code>
              </dd>
            </div>
          ))}
        </dl>
      </div>
      {registered && (
        <div className="card display-key" role="status" aria-labelledby={`${ids}-registered`}>
          <h2 id={`${ids}-registered`}>{t('admin.integrations.registeredTitle', { name: registered.name })}</h2>
          <p>{t('admin.integrations.registeredHelp')}</p>
          <p>
            <code className="key" aria-label={t('admin.integrations.clientId')}>
              {registered.id}
            </code>{' '}
            <button type="button" onClick={() => void navigator.clipboard?.writeText(registered.id)}>
              {t('admin.integrations.copy')}
            </button>
          </p>
          <button type="button" className="link-button" onClick={() => setRegistered(null)}>
            {t('admin.integrations.done')}
          </button>
        </div>
      )}
      <form ref={form} className="card" onSubmit={onRegister} noValidate aria-label={t('admin.integrations.registerForm')}>
        <h2>{t('admin.integrations.registerForm')}</h2>
        <InputField
          label={t('admin.integrations.name')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errorFor(errors, 'name')}
          maxLength={120}
          help={t('admin.integrations.nameHelp')}
          autoComplete="off"
        />
        <TextAreaField
          label={t('admin.integrations.jwks')}
          value={jwks}
          onChange={(e) => setJwks(e.target.value)}
          error={errorFor(errors, 'jwks')}
          help={t('admin.integrations.jwksHelp')}
          rows={8}
          maxLength={20_000}
          spellCheck={false}
          autoComplete="off"
        />
        <fieldset
          className={scopeGroupError ? 'has-error' : undefined}
          aria-describedby={[scopeGroupError ? scopeErrorId : null, scopeHelpId].filter(Boolean).join(' ')}
        >
          <legend>{t('admin.integrations.scopes')}</legend>
          <p className="help" id={scopeHelpId}>
            {t('admin.integrations.scopesHelp')}
            {!canGrantMedical && <> {t('admin.integrations.cannotGrantMedical')}</>}
          </p>
          {SCOPE_OPTIONS.map((o) => {
            const own = errors[`scope:${o.scope}`];
            const ownId = `${ids}-${o.scope}-error`;
            return (
              <div key={o.scope}>
                <label className="choice">
                  <input
                    type="checkbox"
                    checked={scopes.includes(o.scope)}
                    onChange={(e) => toggle(o.scope, e.target.checked)}
                    aria-invalid={own || scopeGroupError ? true : undefined}
                    aria-describedby={own ? ownId : undefined}
                  />{' '}
                  {t(`admin.integrations.${o.kind}`, { type: o.type })} <code>{o.scope}</code>
                  {o.medical && (
                    <>
                      {' '}
                      <span className="badge">{t('admin.integrations.medical')}</span>
                    </>
                  )}
                </label>
                {own && (
                  <div className="field-error" id={ownId} role="alert">
                    {own}
                  </div>
                )}
              </div>
            );
          })}
          {scopeGroupError && (
            <div className="field-error" id={scopeErrorId} role="alert">
              {scopeGroupError}
            </div>
          )}
        </fieldset>
        <ErrorBox>{errors._form}</ErrorBox>
        <button type="submit" className="primary" disabled={registering.loading}>
          {registering.loading ? t('admin.integrations.registering') : t('admin.integrations.register')}
        </button>
      </form>
      {loading && !data ? (
        <Loading what={t('admin.integrations.loading')} />
      ) : clients.length === 0 ? (
        <Empty>{t('admin.integrations.empty')}</Empty>
      ) : (
        <table className="table">
          <caption className="sr-only">{t('admin.integrations.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.integrations.columnName')}</th>
              <th scope="col">{t('admin.integrations.clientId')}</th>
              <th scope="col">{t('admin.integrations.columnScopes')}</th>
              <th scope="col">{t('admin.integrations.keyIds')}</th>
              <th scope="col">{t('admin.integrations.registered')}</th>
              <th scope="col">{t('admin.integrations.lastUsed')}</th>
              <th scope="col">{t('admin.integrations.status')}</th>
              <th scope="col">
                <span className="sr-only">{t('admin.integrations.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {clients.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td>
                  <code>{c.id}</code>{' '}
                  <button type="button" className="small" aria-label={t('admin.integrations.copyId', { name: c.name })} onClick={() => void navigator.clipboard?.writeText(c.id)}>
                    {t('admin.integrations.copy')}
                  </button>
                </td>
                <td>
                  {c.scopes.map((s) => (
                    <code key={s} className="chip">
                      {s}
                    </code>
                  ))}
                </td>
                <td>
                  {c.keyIds.map((k) => (
                    <code key={k} className="chip">
                      {k}
                    </code>
                  ))}
                </td>
                <td>{t('admin.integrations.registeredBy', { when: formatDateTime(c.createdAt), name: c.createdBy.displayName })}</td>
                <td>{c.lastUsedAt ? formatDateTime(c.lastUsedAt) : t('admin.integrations.never')}</td>
                <td>{c.revokedAt ? t('admin.integrations.revokedAt', { when: formatDateTime(c.revokedAt) }) : t('admin.integrations.active')}</td>
                <td>
                  {!c.revokedAt && (
                    <button type="button" className="danger small" aria-label={t('admin.integrations.revokeClient', { name: c.name })} onClick={() => setToRevoke(c)}>
                      {t('admin.integrations.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {clients.some((c) => c.revokedAt) && <Notice>{t('admin.integrations.revokedNotice')}</Notice>}
      <ConfirmDialog
        open={!!toRevoke}
        title={t('admin.integrations.confirmTitle', { name: toRevoke?.name ?? '' })}
        confirmLabel={t('admin.integrations.confirmLabel')}
        danger
        busy={revoking.loading}
        onConfirm={() => void onRevoke()}
        onCancel={() => setToRevoke(null)}
      >
        {t('admin.integrations.confirmBody')}
      </ConfirmDialog>
    </section>
  );
}
