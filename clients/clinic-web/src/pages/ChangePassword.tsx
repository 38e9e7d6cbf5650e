import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import { useNavigate } from 'react-router-dom';
import { ErrorBox, errorReason, fieldErrors, focusFirstError, InputField, PageTitle, plainMessage } from '@clinicult/web-ui';
import { ChangePasswordDocument } from '../graphql';
import { endSession } from '../session';

export default function ChangePassword() {
  const navigate = useNavigate();
  const [change, { loading }] = useMutation(ChangePasswordDocument);
  const [values, setValues] = useState({ currentPassword: '', newPassword: '', confirm: '' });
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const form = useRef<HTMLFormElement>(null);
  const set = (key: keyof typeof values) => (e: { target: { value: string } }) => setValues({ ...values, [key]: e.target.value });

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!values.currentPassword) problems.currentPassword = 'Enter your current password.';
    if (values.newPassword.length < 10) problems.newPassword = 'Choose a password of at least 10 characters.';
    else if (values.newPassword === values.currentPassword) problems.newPassword = 'The new password must differ from the current one.';
    if (values.confirm !== values.newPassword) problems.confirm = 'The two new passwords are not the same.';
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
        currentPassword: code === 'INVALID_CREDENTIALS' ? 'The current password is not correct.' : byField.currentPassword,
        newPassword: byField.newPassword,
        form: code === 'INVALID_CREDENTIALS' || byField.newPassword || byField.currentPassword ? undefined : (byField._form ?? plainMessage(error as Error)),
      });
      focusFirstError(form.current);
    }
  }

  return (
    <section className="narrow">
      <PageTitle>Change password</PageTitle>
      <p className="muted">Changing your password signs you out everywhere, here included.</p>
      <form ref={form} onSubmit={onSubmit} noValidate>
        <ErrorBox>{errors.form}</ErrorBox>
        <InputField label="Current password" type="password" autoComplete="current-password" value={values.currentPassword} onChange={set('currentPassword')} error={errors.currentPassword} required />
        <InputField label="New password" type="password" autoComplete="new-password" value={values.newPassword} onChange={set('newPassword')} error={errors.newPassword} help="At least 10 characters." required />
        <InputField label="Repeat the new password" type="password" autoComplete="new-password" value={values.confirm} onChange={set('confirm')} error={errors.confirm} required />
        <button type="submit" className="primary" disabled={loading}>
          {loading ? 'Saving…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
