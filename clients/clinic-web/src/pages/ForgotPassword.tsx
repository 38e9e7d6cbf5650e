import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import { Link } from 'react-router-dom';
import { ErrorBox, focusFirstError, InputField, Notice, PageTitle, plainMessage, RequestPasswordResetDocument } from '@clinicult/web-ui';

/** Forgot password: the same answer for every address; a one-time link goes by email if it has an account. */
export default function ForgotPassword() {
  const [request, { loading }] = useMutation(RequestPasswordResetDocument);
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      setError('Enter an email address like name@clinic.org.');
      focusFirstError(form.current);
      return;
    }
    setError(undefined);
    try {
      await request({ variables: { email: email.trim() } });
      setSentTo(email.trim());
    } catch (e) {
      setFormError(plainMessage(e as Error));
    }
  }

  return (
    <main className="centered" id="main">
      <div className="card narrow">
        <PageTitle>Reset your password</PageTitle>
        {sentTo ? (
          <>
            <Notice tone="success">
              If <strong>{sentTo}</strong> has a Clinicult account, a link to choose a new password is on its way. It works once, for
              30 minutes.
            </Notice>
            <p className="muted small">No email? Check the spam folder, or ask your clinic administrator.</p>
          </>
        ) : (
          <form ref={form} onSubmit={onSubmit} noValidate>
            <p>Enter the email you sign in with. We send a link to choose a new password.</p>
            <ErrorBox>{formError}</ErrorBox>
            <InputField label="Email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} error={error} required />
            <button type="submit" className="primary" disabled={loading}>
              {loading ? 'Sending…' : 'Send the link'}
            </button>
          </form>
        )}
        <p className="small">
          <Link to="/signin">Back to sign in</Link>
        </p>
      </div>
    </main>
  );
}
