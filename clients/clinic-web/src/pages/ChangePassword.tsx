import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import { useNavigate } from 'react-router-dom';
import { ErrorBox, errorReason, fieldErrors, focusFirstError, InputField, PageTitle, plainMessage } from '@clinicult/web-ui';
import { ChangePasswordDocument } from '../graphql';
import { useTranslation } from '../i18n';
import { endSession } from '../session';

export default function ChangePassword() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [change, { loading }] = useMutation(ChangePasswordDocument);
  const [values, setValues] = useState({ currentPassword: '', newPassword: '', confirm: '' });
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const form = useRef<HTMLFormElement>(null);
  const set = (key: keyof typeof values) => (e: { target: { value: string } }) => setValues({ ...values, [key]: e.target.value });

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!values.currentPassword) problems.currentPassword = t('access.changePassword.currentMissing');
    if (values.newPassword.length < 10) problems.newPassword = t('access.changePassword.tooShort');
    else if (values.newPassword === values.currentPassword) problems.newPassword = t('access.changePassword.sameAsCurrent');
    if (values.confirm !== values.newPassword) problems.confirm = t('access.changePassword.mismatch');
    setErrors(problems);
    if (Object.keys(problems).length) {
      focusFirstError(form.current);
      return;
    }
    try {
      await change({ variables: { currentPassword: values.currentPassword, newPassword: values.newPassword } });
      // every session ends, this one included
      endSession('PASSWORD_CHANGED', { evenIfEnded: true });
      navigate('/signin', { replace: true });
    } catch (error) {
      const byField = fieldErrors(error as Error);
      const code = errorReason(error);
      setErrors({
        currentPassword: code === 'INVALID_CREDENTIALS' ? t('access.changePassword.currentWrong') : byField.currentPassword,
        newPassword: byField.newPassword,
        form: code === 'INVALID_CREDENTIALS' || byField.newPassword || byField.currentPassword ? undefined : (byField._form ?? plainMessage(error as Error)),
      });
      focusFirstError(form.current);
    }
  }

  return (
    <section className="narrow">
      <PageTitle>{t('access.changePassword.title')}</PageTitle>
      <p className="muted">{t('access.changePassword.intro')}</p>
      <form ref={form} onSubmit={onSubmit} noValidate>
        <ErrorBox>{errors.form}</ErrorBox>
        <InputField label={t('access.changePassword.current')} type="password" autoComplete="current-password" value={values.currentPassword} onChange={set('currentPassword')} error={errors.currentPassword} required />
        <InputField label={t('access.changePassword.new')} type="password" autoComplete="new-password" value={values.newPassword} onChange={set('newPassword')} error={errors.newPassword} help={t('access.changePassword.help')} required />
        <InputField label={t('access.changePassword.repeat')} type="password" autoComplete="new-password" value={values.confirm} onChange={set('confirm')} error={errors.confirm} required />
        <button type="submit" className="primary" disabled={loading}>
          {loading ? t('access.common.saving') : t('access.changePassword.submit')}
        </button>
      </form>
    </section>
  );
}
