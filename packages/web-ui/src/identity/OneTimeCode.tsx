import { InputField } from '../ui';

/** The 6-digit code of an authenticator app: digits only, offered by the browser's one-time-code autofill. */
export function OneTimeCode({ label, value, onChange, error }: { label: string; value: string; onChange: (code: string) => void; error?: string | undefined }) {
  return (
    <InputField
      className="mfa-field"
      label={label}
      name="one-time-code"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]*"
      maxLength={6}
      value={value}
      onChange={(e) => onChange(e.target.value.replace(/\D/g, ''))}
      error={error}
      autoFocus
    />
  );
}
