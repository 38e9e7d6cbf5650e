import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { Empty, ErrorBox, focusFirstError, InputField, Loading, Notice, PageTitle } from '../../components/ui';
import { errorFor, fieldErrors, plainMessage } from '../../errors';
import { CREATE_USER, DEACTIVATE_USER, REACTIVATE_USER, SET_MEMBERSHIP, STAFF } from '../../graphql';
import { useSession } from '../../session';

const ROLES = [
  { value: 'ADMIN', label: 'Administrator' },
  { value: 'DOCTOR', label: 'Doctor' },
  { value: 'NURSE', label: 'Nurse' },
  { value: 'OFFICE', label: 'Front desk' },
] as const;

interface StaffUser {
  id: string;
  email: string;
  displayName: string;
  status: 'ACTIVE' | 'INVITED' | 'DEACTIVATED';
  memberships: { clinic: { id: string }; roles: string[] }[];
}

function RoleBoxes({ value, onChange, legend, error }: { value: string[]; onChange: (roles: string[]) => void; legend: string; error?: string }) {
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
  const [createUser, { loading }] = useMutation<{ createUser: { user: StaffUser; invitation: { url: string; expiresAt: string } | null } }>(CREATE_USER);
  const [values, setValues] = useState({ email: '', firstName: '', lastName: '' });
  const [roles, setRoles] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [result, setResult] = useState<{ name: string; url: string | null; expiresAt?: string } | null>(null);
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
      requestAnimationFrame(() => focusFirstError(form.current));
      return;
    }
    try {
      const { data } = await createUser({
        variables: { input: { email: values.email.trim(), firstName: values.firstName.trim(), lastName: values.lastName.trim(), roles } },
      });
      const { user, invitation } = data!.createUser;
      setResult({ name: user.displayName, url: invitation?.url ?? null, expiresAt: invitation?.expiresAt });
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
      requestAnimationFrame(() => focusFirstError(form.current));
    }
  }

  return (
    <section className="card" aria-labelledby="invite-title">
      <h2 id="invite-title">Invite a person</h2>
      {result && (
        <div className="notice notice-success" role="status" data-testid="invitation">
          {result.url ? (
            <>
              <p>
                <strong>{result.name}</strong> was added. Give them this one-time link to set their password
                {result.expiresAt ? ` (valid until ${new Date(result.expiresAt).toLocaleString()})` : ''}:
              </p>
              <label htmlFor="invitation-url" className="sr-only">
                Invitation link
              </label>
              <input id="invitation-url" className="copy" readOnly value={result.url} onFocus={(e) => e.target.select()} />
              <button type="button" onClick={() => void navigator.clipboard?.writeText(result.url!)}>
                Copy link
              </button>
            </>
          ) : (
            <p>
              <strong>{result.name}</strong> already had a Clinicult login and now also works in this clinic.
            </p>
          )}
        </div>
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
  const [roles, setRoles] = useState<string[]>(current);
  const [message, setMessage] = useState<{ tone: 'error' | 'ok'; text: string } | null>(null);
  const [setMembership, membership] = useMutation(SET_MEMBERSHIP);
  const [deactivate, deactivation] = useMutation(DEACTIVATE_USER);
  const [reactivate, reactivation] = useMutation(REACTIVATE_USER);
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
        {message && (
          <div className={message.tone === 'error' ? 'field-error' : 'saved'} role={message.tone === 'error' ? 'alert' : 'status'}>
            {message.text}
          </div>
        )}
      </td>
    </tr>
  );
}

export default function Staff() {
  const session = useSession();
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const { data, loading, error, refetch } = useQuery<{ users: { totalCount: number; edges: { node: StaffUser }[] } }>(STAFF, {
    variables: { search: applied || null },
  });
  const users = data?.users.edges.map((e) => e.node) ?? [];
  return (
    <section>
      <PageTitle>Staff</PageTitle>
      <InviteForm onDone={() => void refetch()} />
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
        <Notice>Changing someone’s roles, or deactivating them, signs them out at once.</Notice>
      </section>
    </section>
  );
}
