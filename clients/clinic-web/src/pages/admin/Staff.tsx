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
import { useSession } from '../../session';

const ROLES: readonly { value: Role; label: string }[] = [
  { value: 'ADMIN', label: 'Administrator' },
  { value: 'DOCTOR', label: 'Doctor' },
  { value: 'NURSE', label: 'Nurse' },
  { value: 'OFFICE', label: 'Front desk' },
] as const;

type StaffUser = StaffQuery['users']['edges'][number]['node'];

function RoleBoxes({ value, onChange, legend, error }: { value: Role[]; onChange: (roles: Role[]) => void; legend: string; error?: string }) {
  return (
    <fieldset className={`roles-field${error ? ' has-error' : ''}`}>
      <legend>{legend}</legend>
      {ROLES.map((r) => (
        <label key={r.value} className="choice">
          <input type="checkbox" checked={value.includes(r.value)} onChange={(e) => onChange(e.target.checked ? [...value, r.value] : value.filter((x) => x !== r.value))} aria-invalid={error ? true : undefined} />{' '}
          {r.label}
        </label>
      ))}
      {error && <div className="field-error">{error}</div>}
    </fieldset>
  );
}

function InviteForm({ onDone }: { onDone: () => void }) {
  const [createUser, { loading }] = useMutation(CreateUserDocument);
  const [values, setValues] = useState({ email: '', firstName: '', lastName: '' });
  const [roles, setRoles] = useState<Role[]>([]);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [sent, setSent] = useState<StaffInvitation | null>(null);
  const form = useRef<HTMLFormElement>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) problems.email = 'Enter an email address like name@clinic.org.';
    if (!values.firstName.trim()) problems.firstName = 'Enter the first name.';
    if (!values.lastName.trim()) problems.lastName = 'Enter the last name.';
    if (roles.length === 0) problems.roles = 'Choose at least one role.';
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
      <h2 id="invite-title">Invite a person</h2>
      {sent && (
        <Notice tone="success">
          An invitation to join as {sent.roles.map((r) => ROLES.find((x) => x.value === r)?.label ?? r).join(', ')} is on its way to{' '}
          <strong>{sent.email}</strong>. They choose their password (or, with an account already, sign in) and accept it; until then
          it waits below.
        </Notice>
      )}
      <form ref={form} onSubmit={onSubmit} noValidate className="inline-form wrap">
        <ErrorBox>{errors.form}</ErrorBox>
        <InputField label="Email" type="email" value={values.email} onChange={(e) => setValues({ ...values, email: e.target.value })} error={errors.email} required />
        <InputField label="First name" value={values.firstName} onChange={(e) => setValues({ ...values, firstName: e.target.value })} error={errors.firstName} required />
        <InputField label="Last name" value={values.lastName} onChange={(e) => setValues({ ...values, lastName: e.target.value })} error={errors.lastName} required />
        <RoleBoxes legend="Roles" value={roles} onChange={setRoles} error={errors.roles} />
        <button type="submit" className="primary" disabled={loading}>
          {loading ? 'Inviting…' : 'Invite'}
        </button>
      </form>
    </section>
  );
}

function StaffRow({ user, clinicId, self }: { user: StaffUser; clinicId: string; self: boolean }) {
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
        {self && <span className="muted small"> (you)</span>}
        <div className="muted small">{user.email}</div>
      </th>
      <td>
        <span className={`badge status-${user.status.toLowerCase()}`}>{user.status === 'INVITED' ? 'Invited' : user.status === 'ACTIVE' ? 'Active' : 'Deactivated'}</span>
      </td>
      <td>
        {self ? (
          <span>{current.map((r) => ROLES.find((x) => x.value === r)?.label ?? r).join(', ')}</span>
        ) : (
          <div className="role-edit">
            <RoleBoxes legend={`Roles of ${user.displayName}`} value={roles} onChange={setRoles} />
            <button
              type="button"
              disabled={!changed || roles.length === 0 || membership.loading}
              onClick={() => void act(() => setMembership({ variables: { userId: user.id, roles } }), 'Roles saved; their sessions were ended.')}
            >
              Save roles
            </button>
          </div>
        )}
      </td>
      <td>
        {!self &&
          (user.status === 'DEACTIVATED' ? (
            <button type="button" disabled={reactivation.loading} onClick={() => void act(() => reactivate({ variables: { id: user.id } }), 'Reactivated.')}>
              Reactivate
            </button>
          ) : (
            <button
              type="button"
              className="danger-outline"
              disabled={deactivation.loading}
              onClick={() => {
                if (window.confirm(`Deactivate ${user.displayName}? They are signed out everywhere at once.`)) {
                  void act(() => deactivate({ variables: { id: user.id } }), 'Deactivated; every session ended.');
                }
              }}
            >
              Deactivate
            </button>
          ))}
        {!self && user.status !== 'DEACTIVATED' && (
          <button
            type="button"
            className="link-button"
            disabled={factorReset.loading}
            onClick={() => {
              if (window.confirm(`Remove ${user.displayName}'s second factors (a lost phone)? They are signed out and set up a new one at their next sign-in.`)) {
                void act(() => resetFactors({ variables: { id: user.id } }), 'Second factors removed; they were signed out and told by email.');
              }
            }}
          >
            Reset second factor
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
      <h2 id="invitations-title">Invitations</h2>
      <label className="choice">
        <input type="checkbox" checked={includeClosed} onChange={(e) => setIncludeClosed(e.target.checked)} /> Show answered, withdrawn and expired
        ones
      </label>
      <ErrorBox>{error && plainMessage(error)}</ErrorBox>
      {message && (
        <div className={message.tone === 'error' ? 'field-error' : 'saved'} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </div>
      )}
      {loading && !data ? (
        <Loading what="Loading the invitations" />
      ) : list.length === 0 ? (
        <Empty>No invitation is waiting.</Empty>
      ) : (
        <table className="table invitations">
          <thead>
            <tr>
              <th scope="col">Invited</th>
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
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
                  <td>{i.roles.map((r) => ROLES.find((x) => x.value === r)?.label ?? r).join(', ')}</td>
                  <td>
                    <span className={`badge invitation-${i.status.toLowerCase()}`}>{INVITATION_STATUS_LABELS[i.status]}</span>
                    <div className="muted small">
                      {i.status === 'NOT_DELIVERED'
                        ? `The mail server refused it${i.delivery?.lastError ? `: ${i.delivery.lastError}` : ''}. Check the address.`
                        : i.status === 'PENDING'
                          ? `sent ${formatDateTime(i.sentAt)} · open until ${formatDateTime(i.expiresAt)}`
                          : `invited ${formatDateTime(i.invitedAt)} by ${i.invitedByName}`}
                    </div>
                  </td>
                  <td>
                    {open && (
                      <>
                        <button type="button" onClick={() => void act(() => resend({ variables: { id: i.id } }), `Sent again to ${i.email}.`)}>
                          Resend
                        </button>{' '}
                        {i.status !== 'EXPIRED' && (
                          <button type="button" className="danger-outline" onClick={() => void act(() => revoke({ variables: { id: i.id } }), `Withdrawn: the link sent to ${i.email} no longer works.`)}>
                            Withdraw
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
  const { data } = useQuery(ClinicSignInPolicyDocument, { variables: { id: clinicId } });
  const [setRequired, { loading }] = useMutation(SetClinicMfaRequiredDocument);
  const [problem, setProblem] = useState<string | null>(null);
  const required = data?.clinic?.mfaRequired ?? false;
  return (
    <section className="card" aria-labelledby="policy-title">
      <h2 id="policy-title">Sign-in policy</h2>
      <p>
        {required
          ? 'Everyone in this clinic signs in with a password and a second factor (an authenticator app or a passkey).'
          : 'Staff sign in with a password; a second factor is offered but not required.'}
      </p>
      <ErrorBox>{problem}</ErrorBox>
      <button
        type="button"
        className={required ? '' : 'primary'}
        disabled={loading || !data}
        onClick={async () => {
          setProblem(null);
          if (!required && !window.confirm('Require a second factor? Everyone signed in without one is signed out and sets one up at their next sign-in.')) return;
          try {
            await setRequired({ variables: { required: !required } });
          } catch (e) {
            setProblem(plainMessage(e as Error));
          }
        }}
      >
        {required ? 'Stop requiring a second factor' : 'Require a second factor'}
      </button>
    </section>
  );
}

export default function Staff() {
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
      <PageTitle>Staff</PageTitle>
      <InviteForm onDone={() => setInvited((n) => n + 1)} />
      <Invitations refreshKey={invited} />
      <section className="card" aria-labelledby="staff-title">
        <h2 id="staff-title">People in this clinic</h2>
        <form
          role="search"
          className="search-bar"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied(search.trim());
          }}
        >
          <label htmlFor="staff-search">Find</label>
          <input id="staff-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name or email" />
          <button type="submit">Search</button>
        </form>
        <ErrorBox>{error && plainMessage(error)}</ErrorBox>
        {loading && !data ? (
          <Loading what="Loading the staff" />
        ) : users.length === 0 ? (
          <Empty>No one found.</Empty>
        ) : (
          <table className="table staff">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Status</th>
                <th scope="col">Roles</th>
                <th scope="col">Access</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <StaffRow key={u.id} user={u} clinicId={session!.clinicId!} self={u.id === session!.userId} />
              ))}
            </tbody>
          </table>
        )}
        <Notice>Changing someone’s roles, or removing them, signs them out of this clinic at once; deactivating signs them out everywhere.</Notice>
      </section>
      <SignInPolicy clinicId={session!.clinicId!} />
    </section>
  );
}
