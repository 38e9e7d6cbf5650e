import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import { Trans } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ErrorBox, focusFirstError, InputField, Notice, PageTitle, plainMessage, RequestPasswordResetDocument } from '@clinicult/web-ui';
import { useTranslation } from '../i18n';

/** Forgot password: the same answer for every address; a one-time link goes by email if it has an account. */
export default function ForgotPassword() {
  const { t } = useTranslation();
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
      setError(t('access.common.emailInvalid'));
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
        <PageTitle>{t('access.forgot.title')}</PageTitle>
        {sentTo ? (
          <>
            <Notice tone="success">
              <Trans t={t} i18nKey="access.forgot.sent" values={{ email: sentTo }} components={{ strong: <strong /> }} />
            </Notice>
            <p className="muted small">{t('access.forgot.noEmail')}</p>
          </>
        ) : (
          <form ref={form} onSubmit={onSubmit} noValidate>
            <p>{t('access.forgot.intro')}</p>
            <ErrorBox>{formError}</ErrorBox>
            <InputField label={t('access.common.email')} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} error={error} required />
            <button type="submit" className="primary" disabled={loading}>
              {loading ? t('access.forgot.sending') : t('access.forgot.submit')}
            </button>
          </form>
        )}
        <p className="small">
          <Link to="/signin">{t('access.forgot.backToSignIn')}</Link>
        </p>
      </div>
    </main>
  );
}
