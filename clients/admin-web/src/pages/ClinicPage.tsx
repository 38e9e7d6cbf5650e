import { useMutation, useQuery } from '@apollo/client';
import { useId, useState, type FormEvent } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { TimeZoneInput } from '../components/TimeZoneInput';
import {
  canResend,
  ConfirmDialog,
  Empty,
  ErrorBox,
  Field,
  focusFirstError,
  formatDateTime,
  formErrors,
  INVITATION_STATUS_LABELS,
  Loading,
  PageTitle,
  plainMessage,
  ResendInvitationDocument,
} from '@clinicult/web-ui';
import { StatusBadge } from '../components/StatusBadge';
import {
  AdminInvitationsDocument,
  ClinicDocument,
  ClinicOverviewDocument,
  ProvisionClinicAdminDocument,
  ReactivateClinicDocument,
  SuspendClinicDocument,
  UpdateClinicDocument,
  type AdminInvitation,
  type Clinic,
} from '../graphql';
import { useSession } from '../session';
import { canonicalTimeZone, validateTimeZone } from '../timezones';
import { validateClinicName } from './NewClinicPage';

export function ClinicPage() {
  const { id = '' } = useParams();
  const location = useLocation();
  const { can } = useSession();
  const { data, loading, error, refetch } = useQuery(ClinicDocument, { variables: { id } });
  const clinic = data?.clinic;

  if (loading && !data) return <Loading what="Loading the clinic" />;
  if (!clinic) {
    return (
      <section>
        <p className="crumbs">
          <Link to="/clinics">Clinics</Link> ›
        </p>
        <PageTitle title="Clinic">Clinic</PageTitle>
        {error ? (
          <ErrorBox error={error}>
            <button type="button" className="secondary" onClick={() => void refetch()}>
              Try again
            </button>
          </ErrorBox>
        ) : (
          <Empty>
            <p>There is no clinic with this id.</p>
          </Empty>
        )}
      </section>
    );
  }

  const write = can('clinicult:platform:write');
  return (
    <section>
      <p className="crumbs">
        <Link to="/clinics">Clinics</Link> ›
      </p>
      <div className="page-head">
        <PageTitle title={clinic.name}>
          {clinic.name} <StatusBadge status={clinic.status} />
        </PageTitle>
      </div>
      {(location.state as { created?: boolean } | null)?.created ? (
        <p className="notice" role="status">
          Clinic created. Invite its first admin below.
        </p>
      ) : null}
      {clinic.status === 'SUSPENDED' ? (
        <div className="warning" role="status">
          <p>
            <strong>Suspended</strong> {formatDateTime(clinic.suspendedAt)}
            {clinic.suspendedReason ? `: ${clinic.suspendedReason}` : ' (no reason given)'}. Its staff cannot sign in or use the
            clinic app.
          </p>
        </div>
      ) : null}

      <div className="grid">
        <ClinicFacts clinic={clinic} editable={write} />
        <Overview clinicId={clinic.id} />
      </div>
      {write ? <StatusActions clinic={clinic} /> : null}
      {write ? <InviteAdmin clinic={clinic} /> : null}
    </section>
  );
}

function ClinicFacts({ clinic, editable }: { clinic: Clinic; editable: boolean }) {
  const [editing, setEditing] = useState(false);
  return (
    <section className="card" aria-labelledby="facts-title">
      <div className="card-head">
        <h2 id="facts-title">Details</h2>
        {editable && !editing ? (
          <button type="button" className="secondary" onClick={() => setEditing(true)}>
            Edit name or time zone
          </button>
        ) : null}
      </div>
      {editing ? (
        <EditClinic clinic={clinic} onDone={() => setEditing(false)} />
      ) : (
        <dl className="facts">
          <dt>Name</dt>
          <dd>{clinic.name}</dd>
          <dt>Cluster</dt>
          <dd>{clinic.cluster}</dd>
          <dt>Time zone</dt>
          <dd>{clinic.timeZone}</dd>
          <dt>Clinic id</dt>
          <dd>
            <code>{clinic.id}</code>
          </dd>
          <dt>Created</dt>
          <dd>{formatDateTime(clinic.createdAt)}</dd>
          <dt>Last changed</dt>
          <dd>{formatDateTime(clinic.updatedAt)}</dd>
        </dl>
      )}
    </section>
  );
}

function EditClinic({ clinic, onDone }: { clinic: Clinic; onDone(): void }) {
  const [name, setName] = useState(clinic.name);
  const [timeZone, setTimeZone] = useState(clinic.timeZone);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [update, { loading }] = useMutation(UpdateClinicDocument);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems = { name: validateClinicName(name), timeZone: validateTimeZone(timeZone) };
    setErrors(problems);
    if (problems.name || problems.timeZone) return focusFirstError();
    const input: { name?: string; timeZone?: string } = {};
    if (name.trim() !== clinic.name) input.name = name.trim();
    const zone = canonicalTimeZone(timeZone)!;
    if (zone !== clinic.timeZone) input.timeZone = zone;
    if (!input.name && !input.timeZone) return onDone();
    try {
      await update({ variables: { id: clinic.id, input } });
      onDone();
    } catch (error) {
      setErrors(formErrors(error, (key) => ['name', 'timeZone'].includes(key)));
      focusFirstError();
    }
  }

  return (
    <form onSubmit={submit} noValidate className="form">
      <ErrorBox>{errors._form}</ErrorBox>
      <Field label="Name" error={errors.name}>
        {(props) => <input {...props} name="name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Time zone" error={errors.timeZone} help="Changing it moves the clinic’s day (queue, reports) to the new zone.">
        {(props) => <TimeZoneInput {...props} value={timeZone} onChange={setTimeZone} />}
      </Field>
      <div className="actions">
        <button type="submit" className="primary" disabled={loading}>
          {loading ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" className="secondary" onClick={onDone} disabled={loading}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Overview({ clinicId }: { clinicId: string }) {
  const { data, loading, error, refetch } = useQuery(ClinicOverviewDocument, { variables: { id: clinicId } });
  const overview = data?.clinic?.overview;
  return (
    <section className="card" aria-labelledby="overview-title" aria-busy={loading}>
      <div className="card-head">
        <h2 id="overview-title">Overview</h2>
        <button type="button" className="secondary" onClick={() => void refetch()} disabled={loading}>
          Refresh
        </button>
      </div>
      {loading && !data ? <Loading what="Loading figures" /> : null}
      {!loading || data ? (
        overview ? (
          <>
            <dl className="figures">
              <div>
                <dt>Staff</dt>
                <dd>{overview.staffCount}</dd>
              </div>
              <div>
                <dt>Patients</dt>
                <dd>{overview.patientCount}</dd>
              </div>
              <div>
                <dt>Visits now</dt>
                <dd>{overview.currentVisits}</dd>
              </div>
              <div>
                <dt>Visits this month</dt>
                <dd>{overview.visitsThisMonth}</dd>
              </div>
            </dl>
            <p className="note">Last activity: {overview.lastActivityAt ? formatDateTime(overview.lastActivityAt) : 'none yet'}.</p>
            {overview.unavailable.length ? (
              <p className="note" role="status">
                Some figures are incomplete: {overview.unavailable.join(', ')} did not answer (their figures show 0).
              </p>
            ) : null}
          </>
        ) : (
          <p className="note" role="status">
            The clinic’s figures are not available right now
            {error ? ` (${plainMessage(error).replace(/\.$/, '')})` : ''}. Try Refresh later.
          </p>
        )
      ) : null}
    </section>
  );
}

function StatusActions({ clinic }: { clinic: Clinic }) {
  const [open, setOpen] = useState<'suspend' | 'reactivate' | null>(null);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const reasonId = useId();
  const [suspend, suspending] = useMutation(SuspendClinicDocument);
  const [reactivate, reactivating] = useMutation(ReactivateClinicDocument);

  async function confirm() {
    setProblem(null);
    try {
      if (open === 'suspend') await suspend({ variables: { id: clinic.id, reason: reason.trim() || null } });
      else await reactivate({ variables: { id: clinic.id } });
      setOpen(null);
      setReason('');
    } catch (error) {
      setProblem(error);
      focusFirstError();
    }
  }

  return (
    <section className="card" aria-labelledby="status-title">
      <h2 id="status-title">Status</h2>
      {clinic.status === 'ACTIVE' ? (
        <>
          <p>Suspending the clinic signs out all of its staff at once and stops them from signing in, until it is reactivated.</p>
          <button type="button" className="danger" onClick={() => setOpen('suspend')}>
            Suspend clinic…
          </button>
        </>
      ) : (
        <>
          <p>Reactivating lets the clinic’s staff sign in again.</p>
          <button type="button" className="primary" onClick={() => setOpen('reactivate')}>
            Reactivate clinic…
          </button>
        </>
      )}
      <ConfirmDialog
        open={open !== null}
        title={open === 'suspend' ? `Suspend ${clinic.name}?` : `Reactivate ${clinic.name}?`}
        confirmLabel={open === 'suspend' ? 'Suspend clinic' : 'Reactivate clinic'}
        danger={open === 'suspend'}
        busy={suspending.loading || reactivating.loading}
        onConfirm={() => void confirm()}
        onCancel={() => {
          setOpen(null);
          setProblem(null);
        }}
      >
        {open === 'suspend' ? (
          <>
            <p>Every member of its staff is signed out now and cannot sign in until you reactivate it.</p>
            <label htmlFor={reasonId}>Reason (shown to operators)</label>
            <textarea id={reasonId} name="reason" rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
          </>
        ) : (
          <p>Its staff will be able to sign in again.</p>
        )}
        <ErrorBox error={problem} />
      </ConfirmDialog>
    </section>
  );
}

function deliveryText(invitation: AdminInvitation): string {
  if (invitation.status === 'NOT_DELIVERED') return `The mail server refused it${invitation.delivery?.lastError ? ` (${invitation.delivery.lastError})` : ''}. Check the address.`;
  if (invitation.delivery?.status === 'SENT') return `Mail delivered ${formatDateTime(invitation.delivery.sentAt)}`;
  if (invitation.delivery?.status === 'QUEUED') return 'Mail on its way';
  return `Sent ${formatDateTime(invitation.sentAt)}`;
}

/**
 * The clinic's first ADMIN: invited by email (auth sends the link to them alone), followed here by
 * status — pending, accepted, expired, not delivered — with a resend. Only while the clinic has
 * no active ADMIN; later ADMINs are the clinic's own business.
 */
function InviteAdmin({ clinic }: { clinic: Clinic }) {
  const [email, setEmail] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [note, setNote] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const [provision, { loading }] = useMutation(ProvisionClinicAdminDocument);
  const [resend] = useMutation(ResendInvitationDocument);
  const invitations = useQuery(AdminInvitationsDocument, {
    variables: { clinicId: clinic.id },
    fetchPolicy: 'cache-and-network',
    // the mail leaves a moment after the invitation: follow it while one is on its way
    pollInterval: 5000,
  });
  const list = invitations.data?.invitations ?? [];
  const accepted = list.some((i) => i.status === 'ACCEPTED');

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNote(null);
    const problems = {
      email: /^\S+@\S+\.\S+$/.test(email.trim()) ? undefined : 'Enter the admin’s email address, e.g. name@example.com.',
      firstName: firstName.trim() ? undefined : 'Enter the admin’s first name.',
      lastName: lastName.trim() ? undefined : 'Enter the admin’s last name.',
    };
    setErrors(problems);
    if (problems.email || problems.firstName || problems.lastName) return focusFirstError();
    try {
      const { data } = await provision({
        variables: { clinicId: clinic.id, input: { email: email.trim(), firstName: firstName.trim(), lastName: lastName.trim() } },
      });
      setNote({ tone: 'ok', text: `Invitation sent to ${data!.provisionClinicAdmin.email}. The link goes to them alone, by email.` });
      setEmail('');
      setFirstName('');
      setLastName('');
      await invitations.refetch();
    } catch (error) {
      setErrors(formErrors(error, (key) => ['email', 'firstName', 'lastName'].includes(key)));
      focusFirstError();
    }
  }

  return (
    <section className="card" aria-labelledby="invite-title">
      <h2 id="invite-title">The clinic’s first admin</h2>
      {list.length > 0 && (
        <table className="invitations" aria-label="Admin invitations">
          <thead>
            <tr>
              <th scope="col">Invited</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((i) => (
              <tr key={i.id} data-invitation={i.email}>
                <th scope="row">
                  {i.firstName} {i.lastName}
                  <div className="muted">{i.email}</div>
                </th>
                <td>
                  <span className={`badge invitation-${i.status.toLowerCase()}`}>{i.status === 'PENDING' ? 'Waiting for them' : INVITATION_STATUS_LABELS[i.status]}</span>
                  <div className="muted">{i.status === 'ACCEPTED' ? `Invited ${formatDateTime(i.invitedAt)}` : deliveryText(i)}</div>
                </td>
                <td>
                  {!accepted && canResend(i) && (
                    <button
                      type="button"
                      className="secondary"
                      onClick={async () => {
                        setNote(null);
                        try {
                          await resend({ variables: { id: i.id } });
                          setNote({ tone: 'ok', text: `Sent again to ${i.email}, with a fresh link.` });
                          await invitations.refetch();
                        } catch (error) {
                          setNote({ tone: 'error', text: plainMessage(error) || 'The invitation could not be sent again.' });
                        }
                      }}
                    >
                      Resend
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {note?.tone === 'ok' && (
        <p className="success" role="status">
          {note.text}
        </p>
      )}
      <ErrorBox>{note?.tone === 'error' && note.text}</ErrorBox>
      {clinic.status === 'SUSPENDED' ? (
        <p>Reactivate the clinic before inviting its admin.</p>
      ) : accepted ? (
        <p>The clinic has its admin. Further admins and staff are invited by the clinic’s own admins.</p>
      ) : (
        <form onSubmit={submit} noValidate className="form">
          <p>They get an email with a one-time link to choose their own password: no operator ever sees the link or knows a staff password.</p>
          <ErrorBox>{errors._form}</ErrorBox>
          <Field label="Email" error={errors.email}>
            {(props) => <input {...props} type="email" name="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <div className="row">
            <Field label="First name" error={errors.firstName}>
              {(props) => <input {...props} name="firstName" value={firstName} onChange={(e) => setFirstName(e.target.value)} />}
            </Field>
            <Field label="Last name" error={errors.lastName}>
              {(props) => <input {...props} name="lastName" value={lastName} onChange={(e) => setLastName(e.target.value)} />}
            </Field>
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={loading}>
              {loading ? 'Inviting…' : 'Invite admin'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
