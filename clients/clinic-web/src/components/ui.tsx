import { useEffect, useId, useRef, type ReactNode, type InputHTMLAttributes, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

/** The page's title, focused when the page opens so screen readers announce it. */
export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
    if (typeof children === 'string') document.title = `${children} · Clinicult`;
  }, [children]);
  return (
    <div className="page-title">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {actions && <div className="actions">{actions}</div>}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** An error for the whole form or page, announced when it appears. */
export function ErrorBox({ children, id }: { children: ReactNode; id?: string }) {
  if (!children) return null;
  return (
    <div className="error-box" role="alert" id={id}>
      {children}
    </div>
  );
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`notice notice-${tone}`} role="status">
      {children}
    </div>
  );
}

interface FieldProps {
  label: string;
  error?: string;
  help?: ReactNode;
  required?: boolean;
  children: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string; required?: boolean }) => ReactNode;
  className?: string;
}

/** A labelled control with its help and its error (aria-describedby), in one place. */
export function Field({ label, error, help, required, children, className }: FieldProps) {
  const id = useId();
  const helpId = help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, helpId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}${className ? ` ${className}` : ''}`}>
      <div className="label-row">
        <label htmlFor={id}>{label}</label>
        {required && (
          <span className="required" aria-hidden="true">
            *
          </span>
        )}
      </div>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy, required })}
      {help && (
        <div className="help" id={helpId}>
          {help}
        </div>
      )}
      {error && (
        <div className="field-error" id={errorId}>
          {error}
        </div>
      )}
    </div>
  );
}

type InputFieldProps = { label: string; error?: string; help?: ReactNode } & InputHTMLAttributes<HTMLInputElement>;
export function InputField({ label, error, help, required, className, ...input }: InputFieldProps) {
  return (
    <Field label={label} error={error} help={help} required={required} className={className}>
      {(props) => <input {...input} {...props} />}
    </Field>
  );
}

type SelectFieldProps = { label: string; error?: string; help?: ReactNode; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>;
export function SelectField({ label, error, help, required, children, className, ...select }: SelectFieldProps) {
  return (
    <Field label={label} error={error} help={help} required={required} className={className}>
      {(props) => (
        <select {...select} {...props}>
          {children}
        </select>
      )}
    </Field>
  );
}

type TextAreaFieldProps = { label: string; error?: string; help?: ReactNode } & TextareaHTMLAttributes<HTMLTextAreaElement>;
export function TextAreaField({ label, error, help, required, className, ...area }: TextAreaFieldProps) {
  return (
    <Field label={label} error={error} help={help} required={required} className={className}>
      {(props) => <textarea {...area} {...props} />}
    </Field>
  );
}

/** Focuses the first invalid control of a form (after a failed validation or a refusal). */
export function focusFirstError(form: HTMLFormElement | null) {
  const target = form?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form?.querySelector<HTMLElement>('[role="alert"]');
  if (target) {
    if (!target.hasAttribute('tabindex') && target.getAttribute('role') === 'alert') target.setAttribute('tabindex', '-1');
    target.focus();
  }
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '';
  return new Date(value).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  // a Date (YYYY-MM-DD) is a calendar day: no time zone shift
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  return new Date(Date.UTC(y!, (m ?? 1) - 1, d ?? 1)).toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
}

export function age(birthDate: string): number {
  const [y, m, d] = birthDate.split('-').map(Number);
  const now = new Date();
  let years = now.getFullYear() - y!;
  if (now.getMonth() + 1 < m! || (now.getMonth() + 1 === m && now.getDate() < d!)) years -= 1;
  return years;
}

export const STATE_LABELS: Record<string, string> = {
  WAITING: 'Waiting',
  TRIAGE: 'In triage',
  READY_FOR_DOCTOR: 'Ready for doctor',
  WITH_DOCTOR: 'With doctor',
  CHECKOUT: 'Checkout',
  FINISHED: 'Finished',
  CANCELLED: 'Cancelled',
};

export const GENDER_LABELS: Record<string, string> = { MALE: 'Male', FEMALE: 'Female', OTHER: 'Other', UNKNOWN: 'Unknown' };

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge state-${state.toLowerCase()}`}>{STATE_LABELS[state] ?? state}</span>;
}
