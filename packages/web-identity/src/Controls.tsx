import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

/** The few controls these screens need: labelled, with their help and error linked for screen readers. */
export function TextInput({ label, help, error, ...input }: { label: string; help?: ReactNode; error?: string | undefined } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const described = [help ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field mfa-field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={described} {...input} />
      {help && (
        <div className="help" id={`${id}-help`}>
          {help}
        </div>
      )}
      {error && (
        <div className="field-error" id={`${id}-error`} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

export function Problem({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="error-box mfa-problem" role="alert" tabIndex={-1}>
      {children}
    </div>
  );
}
