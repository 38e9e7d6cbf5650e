import { useEffect, useId, useRef, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { plainErrors } from './errors';
import { useUiText } from './i18n';

// The primitives both apps build their screens from. Their look is each app's stylesheet; ui.css
// holds only the layout they need wherever they are used.

/** The app's name after a page's in the browser tab: the page's <meta name="application-name">. */
const appName = () => document.querySelector('meta[name="application-name"]')?.getAttribute('content') ?? 'Clinicult';

/**
 * The page's title, focused when the page opens so screen readers announce it; it also names the
 * browser tab (`title`, or the heading when it is plain text). `actions` sit beside it.
 */
export function PageTitle({ children, title, actions }: { children: ReactNode; title?: string; actions?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const name = title ?? (typeof children === 'string' ? children : undefined);
  useEffect(() => {
    ref.current?.focus();
    if (name) document.title = `${name} · ${appName()}`;
  }, [name]);
  return (
    <div className="page-title">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {actions && <div className="actions">{actions}</div>}
    </div>
  );
}

/** Something on its way: `what` is the whole phrase ("Loading the queue"). */
export function Loading({ what }: { what?: string }) {
  const text = useUiText();
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what ?? text.common.loading}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/**
 * An error for the whole form or page, announced when it appears: what `children` says, and each
 * problem of a failed request `error` in plain words. Nothing when there is neither.
 */
export function ErrorBox({ children, error, id, className }: { children?: ReactNode; error?: unknown; id?: string; className?: string }) {
  if (!children && !error) return null;
  return (
    <div className={className ? `error-box ${className}` : 'error-box'} role="alert" tabIndex={-1} id={id}>
      {plainErrors(error).map((message) => (
        <p key={message}>{message}</p>
      ))}
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

/** What a Field hands its control: the id its label names, and the links to its help and error. */
export interface ControlProps {
  id: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
  required?: boolean;
}

interface FieldProps {
  label: string;
  error?: string | undefined;
  help?: ReactNode;
  required?: boolean;
  children: (props: ControlProps) => ReactNode;
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
        <div className="field-error" id={errorId} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

type Labelled = { label: string; error?: string | undefined; help?: ReactNode };

export function InputField({ label, error, help, required, className, ...input }: Labelled & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Field label={label} error={error} help={help} required={required} className={className}>
      {(props) => <input {...input} {...props} />}
    </Field>
  );
}

export function SelectField({ label, error, help, required, children, className, ...select }: Labelled & { children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
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

export function TextAreaField({ label, error, help, required, className, ...area }: Labelled & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <Field label={label} error={error} help={help} required={required} className={className}>
      {(props) => <textarea {...area} {...props} />}
    </Field>
  );
}

/**
 * After a failed validation or a refusal: once the problems have rendered (the next frame), focus
 * the first invalid control of `scope` (a form; by default the open dialog, else the page's main),
 * or else its error box.
 */
export function focusFirstError(scope?: ParentNode | null) {
  requestAnimationFrame(() => {
    const within: ParentNode = scope ?? document.querySelector('dialog[open]') ?? document.querySelector('main') ?? document;
    const target = within.querySelector<HTMLElement>('[aria-invalid="true"]') ?? within.querySelector<HTMLElement>('.error-box, [role="alert"]');
    if (!target) return;
    if (!target.hasAttribute('tabindex') && !target.matches('input, select, textarea, button')) target.setAttribute('tabindex', '-1');
    target.focus();
  });
}

/** An instant for people ('' when there is none; an unreadable value as it came). */
/**
 * How dates and numbers are written: the app's language and its clinic's time zone (a clinic's day
 * is the clinic's, wherever the screen is). Unset: the browser's own.
 */
const displayFormat: { locale?: string; timeZone?: string } = {};

export function setDisplayFormat(format: { locale?: string | null; timeZone?: string | null }): void {
  displayFormat.locale = format.locale ?? undefined;
  displayFormat.timeZone = format.timeZone ?? undefined;
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(displayFormat.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: displayFormat.timeZone });
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  // a Date (YYYY-MM-DD) is a calendar day: no time zone shift
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  return new Date(Date.UTC(y!, (m ?? 1) - 1, d ?? 1)).toLocaleDateString(displayFormat.locale, { dateStyle: 'medium', timeZone: 'UTC' });
}

/** A number in the app's language (decimal separator, grouping). */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return value.toLocaleString(displayFormat.locale, options);
}

/**
 * A confirmation in a modal <dialog> (focus moves into it and back; Escape cancels). Its body may
 * hold inputs (e.g. the reason for a suspension).
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  busy,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  const text = useUiText();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          onConfirm();
        }}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
        <div className="actions">
          <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy}>
            {busy ? text.common.working : confirmLabel}
          </button>
          <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
            {text.common.cancel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
