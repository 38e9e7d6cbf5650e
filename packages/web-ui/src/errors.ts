import type { GraphQLFormattedError } from 'graphql';

// A refused request in the words both apps show: one reader for the GraphQL errors of an
// ApolloError (or of a network error's body), the one input-error shape every service answers
// (BAD_USER_INPUT `extensions.fields: [{ path, message }]`, DESIGN.md) and the reasons a session ends.

/** Why a session ended (UNAUTHENTICATED `extensions.reason`, or the app's own), in plain words. */
export const SESSION_REASONS: Record<string, string> = {
  CLINIC_SUSPENDED: 'Your clinic has been suspended, so you have been signed out. Please contact your clinic administrator or Clinicult support.',
  SESSION_REVOKED: 'Your session was ended: you signed out elsewhere, or your password or access changed. Please sign in again.',
  USER_DEACTIVATED: 'Your account has been deactivated, so you have been signed out. Ask your administrator if you think this is a mistake.',
  TOKEN_EXPIRED: 'Your session has expired. Please sign in again.',
  TOKEN_INVALID: 'Your session is no longer valid. Please sign in again.',
  PASSWORD_CHANGED: 'Your password was changed and every session ended. Sign in with your new password.',
  SECOND_FACTOR_REQUIRED: 'A second factor (an authenticator app or a passkey) is now required. Sign in again to set one up.',
  SIGNED_OUT: 'You have signed out.',
};

/** The text for a session's end; an unknown reason reads as an invalid session. */
export function sessionReasonText(reason: string | null | undefined): string {
  return (reason && SESSION_REASONS[reason]) || SESSION_REASONS.TOKEN_INVALID!;
}

const NETWORK_MESSAGE = 'Cannot reach the Clinicult server. Check the connection and try again.';
const SERVER_FAULT = 'Something went wrong on our side. Please try again in a moment.';
const NOT_ALLOWED = 'You are not allowed to do this.';
const UNKNOWN = 'Something went wrong. Try again.';
const WRONG_CREDENTIALS = 'The email or password is not correct.';

type Refusal = { graphQLErrors?: readonly GraphQLFormattedError[]; networkError?: { result?: { errors?: GraphQLFormattedError[] } } | null };

/** The GraphQL errors of a refusal: those of the answer, and those in a failed response's body. */
export function graphQLErrors(error: unknown): readonly GraphQLFormattedError[] {
  const e = error as Refusal | null | undefined;
  return [...(e?.graphQLErrors ?? []), ...(e?.networkError?.result?.errors ?? [])];
}

export function errorCode(error: unknown): string | undefined {
  return graphQLErrors(error)[0]?.extensions?.code as string | undefined;
}

export function errorReason(error: unknown): string | undefined {
  return graphQLErrors(error)[0]?.extensions?.reason as string | undefined;
}

/** One GraphQL error in plain words: never an internal fault's text nor a permission's name. */
function plainOf(error: GraphQLFormattedError): string {
  switch (error.extensions?.code) {
    case 'FORBIDDEN':
      // the services' refusals are written for people; the access checks' name a permission
      return error.message && !error.message.includes('clinicult:') ? error.message : NOT_ALLOWED;
    case 'UNAUTHENTICATED':
      if (error.extensions.reason === 'INVALID_CREDENTIALS') return WRONG_CREDENTIALS;
      return error.message || sessionReasonText(error.extensions.reason as string | undefined);
    case 'INTERNAL_SERVER_ERROR':
      return SERVER_FAULT;
    default:
      return error.message || UNKNOWN;
  }
}

/** Every problem of a failed request, one sentence each (an empty list for no error). */
export function plainErrors(error: unknown): string[] {
  if (!error) return [];
  const list = graphQLErrors(error).map(plainOf);
  if (list.length) return [...new Set(list)];
  const e = error as (Refusal & Partial<Error>) | null;
  if (e?.networkError || (e?.name === 'TypeError' && /fetch|network|load failed/i.test(e.message ?? ''))) return [NETWORK_MESSAGE];
  return [e?.message || UNKNOWN];
}

/** One sentence for the person at the screen ('' for no error). */
export function plainMessage(error: unknown): string {
  return plainErrors(error)[0] ?? '';
}

/** One problem of a BAD_USER_INPUT: the input path it is about (null: the form as a whole) and what is wrong. */
interface InputProblem {
  path: string | null;
  message: string;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function inputProblems(error: unknown): InputProblem[] {
  const out: InputProblem[] = [];
  for (const e of graphQLErrors(error)) {
    if (e.extensions?.code !== 'BAD_USER_INPUT') continue;
    const fields = Array.isArray(e.extensions.fields) ? (e.extensions.fields as unknown[]) : [];
    const named = fields.filter(
      (f): f is { path: string; message: string } =>
        typeof f === 'object' && f !== null && typeof (f as { path?: unknown }).path === 'string' && typeof (f as { message?: unknown }).message === 'string',
    );
    if (named.length === 0) out.push({ path: null, message: e.message });
    for (const f of named) out.push({ path: f.path, message: capitalized(f.message) });
  }
  return out;
}

/**
 * The GraphQL errors of a refusal by the input path they are about, as the API names it
 * (`input.name`, `input.fields[2].options`); `_form` holds what no field claims and every other
 * refusal, in plain words. A failure without GraphQL errors (the network) gives `{}`.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: string, message: string) => (out[key] = out[key] ? `${out[key]} ${message}` : message);
  for (const problem of inputProblems(error)) add(problem.path ?? '_form', problem.message);
  for (const e of graphQLErrors(error)) if (e.extensions?.code !== 'BAD_USER_INPUT') add('_form', plainOf(e));
  return out;
}

/** The error for one form field, matching `name` or any nested path under it (input.name, name.x, name[0]). */
export function errorFor(errors: Record<string, string | undefined>, name: string): string | undefined {
  if (errors[name]) return errors[name];
  for (const [key, value] of Object.entries(errors)) {
    const bare = key.replace(/^input\./, '');
    if (bare === name || bare.startsWith(`${name}.`) || bare.startsWith(`${name}[`)) return value;
  }
  return undefined;
}

/**
 * A refused form's errors keyed as its controls are (the API's paths without the `input.`
 * argument: `name`, `fields[2].options`); what no control `shown` accepts, and whatever else went
 * wrong, under `_form`. Never empty.
 */
export function formErrors(error: unknown, shown?: (path: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fieldErrors(error))) {
    let key = path.replace(/^input\./, '');
    if (key !== '_form' && shown && !shown(key)) key = '_form';
    out[key] = out[key] ? `${out[key]} ${message}` : message;
  }
  if (Object.keys(out).length === 0) out._form = plainMessage(error);
  return out;
}
