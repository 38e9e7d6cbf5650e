import type { ApolloError } from '@apollo/client';
import type { GraphQLFormattedError } from 'graphql';

/** Why a session ended, in plain words (UNAUTHENTICATED extensions.reason). */
export const SESSION_REASONS: Record<string, string> = {
  CLINIC_SUSPENDED: 'Your clinic has been suspended, so you have been signed out. Please contact your clinic administrator or Clinicult support.',
  SESSION_REVOKED: 'Your session was ended (you signed out elsewhere, or your password or roles changed). Please sign in again.',
  USER_DEACTIVATED: 'Your account has been deactivated, so you have been signed out. Please contact your clinic administrator.',
  TOKEN_EXPIRED: 'Your session has expired. Please sign in again.',
  TOKEN_INVALID: 'Your session is no longer valid. Please sign in again.',
  PASSWORD_CHANGED: 'Your password was changed and every session ended. Sign in with your new password.',
  SECOND_FACTOR_REQUIRED: 'Your clinic now requires a second factor (an authenticator app or a passkey). Sign in again to set one up.',
  SIGNED_OUT: 'You have signed out.',
};

export function sessionReasonText(reason: string | null | undefined): string {
  return (reason && SESSION_REASONS[reason]) || SESSION_REASONS.TOKEN_INVALID!;
}

type ErrorLike = ApolloError | Error | null | undefined;

export function graphQLErrors(error: ErrorLike): readonly GraphQLFormattedError[] {
  if (!error) return [];
  const apollo = error as Partial<ApolloError>;
  const list: GraphQLFormattedError[] = [...(apollo.graphQLErrors ?? [])];
  const network = apollo.networkError as { result?: { errors?: GraphQLFormattedError[] } } | null | undefined;
  if (network?.result?.errors) list.push(...network.result.errors);
  return list;
}

export function errorCode(error: ErrorLike): string | undefined {
  return graphQLErrors(error)[0]?.extensions?.code as string | undefined;
}

export function errorReason(error: ErrorLike): string | undefined {
  return graphQLErrors(error)[0]?.extensions?.reason as string | undefined;
}

/** One sentence for the person at the screen. */
export function plainMessage(error: ErrorLike): string {
  if (!error) return '';
  const first = graphQLErrors(error)[0];
  const code = first?.extensions?.code as string | undefined;
  if (first) {
    switch (code) {
      case 'FORBIDDEN':
        return 'You are not allowed to do this with your role.';
      case 'UNAUTHENTICATED':
        if (first.extensions?.reason === 'INVALID_CREDENTIALS') return 'The email or password is not correct.';
        if (first.extensions?.reason === 'LOCKED' || /too many/i.test(first.message)) return first.message;
        return first.message || sessionReasonText(first.extensions?.reason as string);
      case 'INTERNAL_SERVER_ERROR':
        return 'Something went wrong on our side. Please try again in a moment.';
      default:
        return first.message;
    }
  }
  const network = (error as Partial<ApolloError>).networkError;
  if (network) return 'Cannot reach the Clinicult server. Check the connection and try again.';
  return error.message;
}

/**
 * Field errors of a BAD_USER_INPUT (extensions.field or extensions.fields, messages "field: …"),
 * keyed by field path; `_form` holds what no field claims.
 */
export function fieldErrors(error: ErrorLike): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of graphQLErrors(error)) {
    const ext = e.extensions ?? {};
    // the one input-error shape (DESIGN.md): fields: [{ path, message }]
    const shaped = Array.isArray(ext.fields) ? (ext.fields as unknown[]).filter((f): f is { path: string; message?: string } => typeof f === 'object' && f !== null && 'path' in f) : [];
    for (const f of shaped) out[f.path] = f.message ?? e.message;
    if (shaped.length > 0) continue;
    const fields = [...(Array.isArray(ext.fields) ? (ext.fields as string[]) : []), ...(typeof ext.field === 'string' ? [ext.field] : [])];
    if (fields.length === 0) {
      out._form = out._form ? `${out._form} ${e.message}` : e.message;
      continue;
    }
    for (const field of fields) {
      const at = e.message.indexOf(`${field}: `);
      if (at === -1) {
        out[field] = e.message;
        continue;
      }
      const rest = e.message.slice(at + field.length + 2);
      // up to the next "otherField: " that the error names
      let end = rest.length;
      for (const other of fields) {
        if (other === field) continue;
        const next = rest.indexOf(` ${other}: `);
        if (next !== -1 && next < end) end = next;
      }
      const text = rest.slice(0, end).trim();
      out[field] = text.charAt(0).toUpperCase() + text.slice(1);
    }
  }
  return out;
}

/** The error for one form field, matching `name` or any nested path under it (input.name, name.x). */
export function errorFor(errors: Record<string, string>, name: string): string | undefined {
  if (errors[name]) return errors[name];
  for (const [key, value] of Object.entries(errors)) {
    const bare = key.replace(/^input\./, '');
    if (bare === name || bare.startsWith(`${name}.`) || bare.startsWith(`${name}[`)) return value;
  }
  return undefined;
}
