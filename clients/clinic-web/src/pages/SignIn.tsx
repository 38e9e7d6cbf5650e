import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import { Link, Navigate, useLocation } from 'react-router-dom';
import { NotStaffError } from '../auth';
import { useSignInSteps } from '../components/SignInSteps';
import { ErrorBox, focusFirstError, InputField, Notice, PageTitle, plainMessage, sessionReasonText } from '@clinicult/web-ui';
import { LoginDocument } from '../graphql';
import { useTranslation } from '../i18n';
import { clearNotice, useNotice, useSession } from '../session';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function SignIn() {
  const { t } = useTranslation();
  const session = useSession();
  const notice = useNotice();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [login, { loading }] = useMutation(LoginDocument);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const steps = useSignInSteps({ from, onRestart: () => setPassword('') });

  if (session && !steps.active) return <Navigate to={from} replace />;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problems: typeof errors = {};
    if (!email.trim()) problems.email = t('access.signIn.emailMissing');
    else if (!EMAIL.test(email.trim())) problems.email = t('access.common.emailInvalid');
    if (!password) problems.password = t('access.signIn.passwordMissing');
    setErrors(problems);
    if (Object.keys(problems).length) {
      focusFirstError(form.current);
      return;
    }
    setBusy(true);
    try {
      await steps.attempt(async () => {
        const { data } = await login({ variables: { email: email.trim(), password } });
        return data!.login;
      });
      clearNotice();
    } catch (error) {
      setErrors({ form: error instanceof NotStaffError ? error.message : plainMessage(error as Error) });
      focusFirstError(form.current);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="centered" id="main">
      <div className="card narrow">
        <div className="brand big">
          <span className="logo" aria-hidden="true">
            +
          </span>
          Clinicult
        </div>
        {steps.active ? (
          steps.view
        ) : (
          <>
            <PageTitle>{t('access.signIn.title')}</PageTitle>
            {notice && <Notice tone={notice === 'SIGNED_OUT' ? 'success' : 'warning'}>{sessionReasonText(notice)}</Notice>}
            <form ref={form} onSubmit={onSubmit} noValidate>
              <ErrorBox>{errors.form}</ErrorBox>
              <InputField
                label={t('access.common.email')}
                type="email"
                name="email"
                autoComplete="username"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                error={errors.email}
                required
              />
              <InputField
                label={t('access.common.password')}
                type="password"
                name="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                error={errors.password}
                required
              />
              <button type="submit" className="primary" disabled={loading || busy}>
                {loading || busy ? t('access.signIn.signingIn') : t('access.signIn.submit')}
              </button>
            </form>
            <p className="small">
              <Link to="/forgot-password">{t('access.signIn.forgot')}</Link>
            </p>
            <p className="muted small">{t('access.signIn.newHere')}</p>
          </>
        )}
      </div>
    </main>
  );
}
