import type { ApolloError } from '@apollo/client';
import type { GraphQLFormattedError } from 'graphql';
import { inputProblems } from '@clinicult/web-identity/errors';

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
 * Field errors of a BAD_USER_INPUT (`fields: [{ path, message }]`, read by @clinicult/web-identity),
 * keyed by field path; `_form` holds what no field claims, and every other refusal.
 */
export function fieldErrors(error: ErrorLike): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: string, message: string) => (out[key] = out[key] ? `${out[key]} ${message}` : message);
  for (const problem of inputProblems(error)) add(problem.path ?? '_form', problem.message);
  for (const e of graphQLErrors(error)) if (e.extensions?.code !== 'BAD_USER_INPUT') add('_form', e.message);
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
