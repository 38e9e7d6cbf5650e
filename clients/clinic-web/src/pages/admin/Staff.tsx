import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { canResend, Empty, ErrorBox, errorFor, fieldErrors, focusFirstError, formatDateTime, InputField, INVITATION_STATUS_LABELS, Loading, Notice, PageTitle, plainMessage, ResendInvitationDocument, RevokeInvitationDocument } from '@clinicult/web-ui';
import {
  ClinicSignInPolicyDocument,
  CreateUserDocument,
  DeactivateUserDocument,
  InvitationsDocument,
  ReactivateUserDocument,
  ResetSecondFactorsDocument,
  SetClinicMfaRequiredDocument,
  SetMembershipDocument,
  StaffDocument,
  type Role,
  type StaffInvitation,
  type StaffQuery,
} from '../../graphql';
import { Trans } from 'react-i18next';
import { useTranslation } from '../../i18n';
import { useSession } from '../../session';

const ROLES: readonly Role[] = ['ADMIN', 'DOCTOR', 'NURSE', 'OFFICE'] as const;

/** Role names in the current language (roles.*), joined: call it while rendering. */
function useRoleNames(): (roles: readonly string[]) => string {
  const { t } = useTranslation();
  return (roles) => roles.map((r) => t(`roles.${r}`, { defaultValue: r })).join(', ');
}

type StaffUser = StaffQuery['users']['edges'][number]['node'];

function RoleBoxes({ value, onChange, legend, error }: { value: Role[]; onChange: (roles: Role[]) => void; legend: string; error?: string }) {
  const { t } = useTranslation();
  return (
    <fieldset className={`roles-field${error ? ' has-error' : ''}`}>
      <legend>{legend}</legend>
      {ROLES.map((r) => (
        <label key={r} className="choice">
          <input type="checkbox" checked={value.includes(r)} onChange={(e) => onChange(e.target.checked ? [...value, r] : value.filter((x) => x !== r))} aria-invalid={error ? true : undefined} />{' '}
          {t(`roles.${r}`)}
        </label>
      ))}
      {error && <div className="field-error">{error}</div>}
    </fieldset>
  );
}

function InviteForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const roleNames = useRoleNames();
  const [createUser, { loading }] = useMutation(CreateUserDocument);
  const [values, setValues] = useState({ email: '', firstName: '', lastName: '' });
  const [roles, setRoles] = useState<Role[]>([]);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [sent, setSent] = useState<StaffInvitation | null>(null);
  const form = useRef<HTMLFormElement>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) problems.email = t('admin.staff.invite.errors.email');
    if (!values.firstName.trim()) problems.firstName = t('admin.staff.invite.errors.firstName');
    if (!values.lastName.trim()) problems.lastName = t('admin.staff.invite.errors.lastName');
    if (roles.length === 0) problems.roles = t('admin.staff.invite.errors.roles');
    setErrors(problems);
    if (Object.keys(problems).length) {
      focusFirstError(form.current);
      return;
    }
    try {
      const { data } = await createUser({
        variables: { input: { email: values.email.trim(), firstName: values.firstName.trim(), lastName: values.lastName.trim(), roles } },
      });
      setSent(data!.createUser.invitation);
      setValues({ email: '', firstName: '', lastName: '' });
      setRoles([]);
      onDone();
    } catch (error) {
      const byField = fieldErrors(error as Error);
      const code = (error as { graphQLErrors?: { extensions?: { code?: string } }[] }).graphQLErrors?.[0]?.extensions?.code;
      const mapped: Record<string, string | undefined> = {
        email: errorFor(byField, 'email') ?? (code === 'CONFLICT' ? plainMessage(error as Error) : undefined),
        firstName: errorFor(byField, 'firstName'),
        lastName: errorFor(byField, 'lastName'),
        roles: errorFor(byField, 'roles'),
      };
      if (!Object.values(mapped).some(Boolean)) mapped.form = byField._form ?? plainMessage(error as Error);
      setErrors(mapped);
      focusFirstError(form.current);
    }
  }

  return (
    <section className="card" aria-labelledby="invite-title">
      <h2 id="invite-title">{t('admin.staff.invite.title')}</h2>
      {sent && (
        <Notice tone="success">
          <Trans
            t={t}
            i18nKey="admin.staff.invite.sent"
            count={sent.roles.length}
            values={{ roles: roleNames(sent.roles), email: sent.email }}
            components={{ strong: <strong /> }}
          />
        </Notice>
      )}
      <form ref={form} onSubmit={onSubmit} noValidate className="inline-form wrap">
        <ErrorBox>{errors.form}</ErrorBox>
        <InputField label={t('admin.staff.invite.email')} type="email" value={values.email} onChange={(e) => setValues({ ...values, email: e.target.value })} error={errors.email} required />
        <InputField label={t('admin.staff.invite.firstName')} value={values.firstName} onChange={(e) => setValues({ ...values, firstName: e.target.value })} error={errors.firstName} required />
        <InputField label={t('admin.staff.invite.lastName')} value={values.lastName} onChange={(e) => setValues({ ...values, lastName: e.target.value })} error={errors.lastName} required />
        <RoleBoxes legend={t('admin.staff.invite.roles')} value={roles} onChange={setRoles} error={errors.roles} />
        <button type="submit" className="primary" disabled={loading}>
          {loading ? t('admin.staff.invite.submitting') : t('admin.staff.invite.submit')}
        </button>
      </form>
    </section>
  );
}

function StaffRow({ user, clinicId, self }: { user: StaffUser; clinicId: string; self: boolean }) {
  const { t } = useTranslation();
  const roleNames = useRoleNames();
  const current = user.memberships.find((m) => m.clinic.id === clinicId)?.roles ?? [];
  const [roles, setRoles] = useState<Role[]>(current);
  const [message, setMessage] = useState<{ tone: 'error' | 'ok'; text: string } | null>(null);
  const [setMembership, membership] = useMutation(SetMembershipDocument);
  const [deactivate, deactivation] = useMutation(DeactivateUserDocument);
  const [reactivate, reactivation] = useMutation(ReactivateUserDocument);
  const [resetFactors, factorReset] = useMutation(ResetSecondFactorsDocument);
  const changed = [...roles].sort().join() !== [...current].sort().join();

  async function act(what: () => Promise<unknown>, ok: string) {
    setMessage(null);
    try {
      await what();
      setMessage({ tone: 'ok', text: ok });
    } catch (error) {
      setMessage({ tone: 'error', text: plainMessage(error as Error) });
    }
  }

  return (
    <tr data-user={user.email}>
      <th scope="row">
        {user.displayName}
        {self && <span className="muted small"> {t('admin.staff.row.you')}</span>}
        <div className="muted small">{user.email}</div>
      </th>
      <td>
        <span className={`badge status-${user.status.toLowerCase()}`}>{user.status === 'INVITED' ? t('admin.staff.row.status.INVITED') : user.status === 'ACTIVE' ? t('admin.staff.row.status.ACTIVE') : t('admin.staff.row.status.DEACTIVATED')}</span>
      </td>
      <td>
        {self ? (
          <span>{roleNames(current)}</span>
        ) : (
          <div className="role-edit">
            <RoleBoxes legend={t('admin.staff.row.rolesOf', { name: user.displayName })} value={roles} onChange={setRoles} />
            <button
              type="button"
              disabled={!changed || roles.length === 0 || membership.loading}
              onClick={() => void act(() => setMembership({ variables: { userId: user.id, roles } }), t('admin.staff.row.rolesSaved'))}
            >
              {t('admin.staff.row.saveRoles')}
            </button>
          </div>
        )}
      </td>
      <td>
        {!self &&
          (user.status === 'DEACTIVATED' ? (
            <button type="button" disabled={reactivation.loading} onClick={() => void act(() => reactivate({ variables: { id: user.id } }), t('admin.staff.row.reactivated'))}>
              {t('admin.staff.row.reactivate')}
            </button>
          ) : (
            <button
              type="button"
              className="danger-outline"
              disabled={deactivation.loading}
              onClick={() => {
                if (window.confirm(t('admin.staff.row.confirmDeactivate', { name: user.displayName }))) {
                  void act(() => deactivate({ variables: { id: user.id } }), t('admin.staff.row.deactivated'));
                }
              }}
            >
              {t('admin.staff.row.deactivate')}
            </button>
          ))}
        {!self && user.status !== 'DEACTIVATED' && (
          <button
            type="button"
            className="link-button"
            disabled={factorReset.loading}
            onClick={() => {
              if (window.confirm(t('admin.staff.row.confirmResetFactor', { name: user.displayName }))) {
                void act(() => resetFactors({ variables: { id: user.id } }), t('admin.staff.row.factorReset'));
              }
            }}
          >
            {t('admin.staff.row.resetFactor')}
          </button>
        )}
        {message && (
          <div className={message.tone === 'error' ? 'field-error' : 'saved'} role={message.tone === 'error' ? 'alert' : 'status'}>
            {message.text}
          </div>
        )}
      </td>
    </tr>
  );
}

/** The clinic's invitations: who was invited, whether the mail went, and a resend or withdrawal. */
function Invitations({ refreshKey }: { refreshKey: number }) {
  const { t } = useTranslation();
  const roleNames = useRoleNames();
  const [includeClosed, setIncludeClosed] = useState(false);
  const { data, loading, error, refetch } = useQuery(InvitationsDocument, {
    variables: { includeClosed },
    fetchPolicy: 'cache-and-network',
  });
  // a new invitation was sent from the form above
  useEffect(() => {
    if (refreshKey > 0) void refetch();
  }, [refreshKey, refetch]);
  const [resend] = useMutation(ResendInvitationDocument);
  const [revoke] = useMutation(RevokeInvitationDocument);
  const [message, setMessage] = useState<{ tone: 'error' | 'ok'; text: string } | null>(null);
  const list = data?.invitations ?? [];

  async function act(what: () => Promise<unknown>, ok: string) {
    setMessage(null);
    try {
      await what();
      setMessage({ tone: 'ok', text: ok });
      await refetch();
    } catch (e) {
      setMessage({ tone: 'error', text: plainMessage(e as Error) });
    }
  }

  return (
    <section className="card" aria-labelledby="invitations-title">
      <h2 id="invitations-title">{t('admin.staff.invitations.title')}</h2>
      <label className="choice">
        <input type="checkbox" checked={includeClosed} onChange={(e) => setIncludeClosed(e.target.checked)} /> {t('admin.staff.invitations.showClosed')}
      </label>
      <ErrorBox>{error && plainMessage(error)}</ErrorBox>
      {message && (
        <div className={message.tone === 'error' ? 'field-error' : 'saved'} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </div>
      )}
      {loading && !data ? (
        <Loading what={t('admin.staff.invitations.loading')} />
      ) : list.length === 0 ? (
        <Empty>{t('admin.staff.invitations.empty')}</Empty>
      ) : (
        <table className="table invitations">
          <thead>
            <tr>
              <th scope="col">{t('admin.staff.invitations.invited')}</th>
              <th scope="col">{t('admin.staff.invitations.roles')}</th>
              <th scope="col">{t('admin.staff.invitations.status')}</th>
              <th scope="col">{t('admin.staff.invitations.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((i) => {
              const open = canResend(i);
              return (
                <tr key={i.id} data-invitation={i.email}>
                  <th scope="row">
                    {i.firstName} {i.lastName}
                    <div className="muted small">{i.email}</div>
                  </th>
                  <td>{roleNames(i.roles)}</td>
                  <td>
                    <span className={`badge invitation-${i.status.toLowerCase()}`}>{INVITATION_STATUS_LABELS[i.status]}</span>
                    <div className="muted small">
                      {i.status === 'NOT_DELIVERED'
                        ? i.delivery?.lastError
                          ? t('admin.staff.invitations.notDeliveredBecause', { error: i.delivery.lastError })
                          : t('admin.staff.invitations.notDelivered')
                        : i.status === 'PENDING'
                          ? t('admin.staff.invitations.pending', { sent: formatDateTime(i.sentAt), expires: formatDateTime(i.expiresAt) })
                          : t('admin.staff.invitations.invitedBy', { when: formatDateTime(i.invitedAt), name: i.invitedByName })}
                    </div>
                  </td>
                  <td>
                    {open && (
                      <>
                        <button type="button" onClick={() => void act(() => resend({ variables: { id: i.id } }), t('admin.staff.invitations.resent', { email: i.email }))}>
                          {t('admin.staff.invitations.resend')}
                        </button>{' '}
                        {i.status !== 'EXPIRED' && (
                          <button type="button" className="danger-outline" onClick={() => void act(() => revoke({ variables: { id: i.id } }), t('admin.staff.invitations.withdrawn', { email: i.email }))}>
                            {t('admin.staff.invitations.withdraw')}
                          </button>
                        )}
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Whether the clinic's staff must sign in with a second factor (the ADMIN needs one first). */
function SignInPolicy({ clinicId }: { clinicId: string }) {
  const { t } = useTranslation();
  const { data } = useQuery(ClinicSignInPolicyDocument, { variables: { id: clinicId } });
  const [setRequired, { loading }] = useMutation(SetClinicMfaRequiredDocument);
  const [problem, setProblem] = useState<string | null>(null);
  const required = data?.clinic?.mfaRequired ?? false;
  return (
    <section className="card" aria-labelledby="policy-title">
      <h2 id="policy-title">{t('admin.staff.policy.title')}</h2>
      <p>{required ? t('admin.staff.policy.required') : t('admin.staff.policy.optional')}</p>
      <ErrorBox>{problem}</ErrorBox>
      <button
        type="button"
        className={required ? '' : 'primary'}
        disabled={loading || !data}
        onClick={async () => {
          setProblem(null);
          if (!required && !window.confirm(t('admin.staff.policy.confirmRequire'))) return;
          try {
            await setRequired({ variables: { required: !required } });
          } catch (e) {
            setProblem(plainMessage(e as Error));
          }
        }}
      >
        {required ? t('admin.staff.policy.stopRequiring') : t('admin.staff.policy.require')}
      </button>
    </section>
  );
}

export default function Staff() {
  const { t } = useTranslation();
  const session = useSession();
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const { data, loading, error } = useQuery(StaffDocument, {
    variables: { search: applied || null },
  });
  const users = data?.users.edges.map((e) => e.node) ?? [];
  const [invited, setInvited] = useState(0);
  return (
    <section>
      <PageTitle>{t('admin.staff.title')}</PageTitle>
      <InviteForm onDone={() => setInvited((n) => n + 1)} />
      <Invitations refreshKey={invited} />
      <section className="card" aria-labelledby="staff-title">
        <h2 id="staff-title">{t('admin.staff.people.title')}</h2>
        <form
          role="search"
          className="search-bar"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied(search.trim());
          }}
        >
          <label htmlFor="staff-search">{t('admin.staff.people.find')}</label>
          <input id="staff-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder={t('admin.staff.people.placeholder')} />
          <button type="submit">{t('admin.staff.people.search')}</button>
        </form>
        <ErrorBox>{error && plainMessage(error)}</ErrorBox>
        {loading && !data ? (
          <Loading what={t('admin.staff.people.loading')} />
        ) : users.length === 0 ? (
          <Empty>{t('admin.staff.people.empty')}</Empty>
        ) : (
          <table className="table staff">
            <thead>
              <tr>
                <th scope="col">{t('admin.staff.people.person')}</th>
                <th scope="col">{t('admin.staff.people.status')}</th>
                <th scope="col">{t('admin.staff.people.roles')}</th>
                <th scope="col">{t('admin.staff.people.access')}</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <StaffRow key={u.id} user={u} clinicId={session!.clinicId!} self={u.id === session!.userId} />
              ))}
            </tbody>
          </table>
        )}
        <Notice>{t('admin.staff.people.notice')}</Notice>
      </section>
      <SignInPolicy clinicId={session!.clinicId!} />
    </section>
  );
}
