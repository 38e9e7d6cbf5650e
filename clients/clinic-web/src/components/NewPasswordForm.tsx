import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorBox, focusFirstError, InputField, newPasswordProblems } from '@clinicult/web-ui';
import { useTranslation } from '../i18n';

export interface NewPasswordErrors {
  password?: string;
  confirm?: string;
  form?: string;
}

/**
 * A new password twice (the invitation link, the reset link): checked here first, then handed to
 * `onSubmit`, whose answer names what the server refused. `afterFormError` is shown below the form
 * while the server's refusal is about the form as a whole (e.g. a link to ask for a new one).
 */
export function NewPasswordForm({
  submitLabel,
  help,
  busy,
  onSubmit,
  afterFormError,
}: {
  submitLabel: string;
  help: string;
  busy: boolean;
  onSubmit: (password: string) => Promise<NewPasswordErrors | undefined>;
  afterFormError?: ReactNode;
}) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<NewPasswordErrors>({});
  const form = useRef<HTMLFormElement>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems: NewPasswordErrors = newPasswordProblems(password, confirm);
    setErrors(problems);
    if (!Object.keys(problems).length) {
      const refused = await onSubmit(password);
      if (!refused) return;
      setErrors(refused);
    }
    focusFirstError(form.current);
  }

  return (
    <>
      <form ref={form} onSubmit={submit} noValidate>
        <ErrorBox>{errors.form}</ErrorBox>
        <InputField label={t('access.newPassword.password')} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} help={help} required />
        <InputField label={t('access.newPassword.repeat')} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} error={errors.confirm} required />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('access.common.saving') : submitLabel}
        </button>
      </form>
      {errors.form && afterFormError}
    </>
  );
}
