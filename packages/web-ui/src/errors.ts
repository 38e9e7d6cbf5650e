import type { GraphQLFormattedError } from 'graphql';
import { liveLabels, uiText } from './i18n';

// A refused request in the words both apps show: one reader for the GraphQL errors of an
// ApolloError (or of a network error's body), the one input-error shape every service answers
// (BAD_USER_INPUT `extensions.fields: [{ path, message }]`, DESIGN.md) and the reasons a session ends.

/**
 * Why a session ended (UNAUTHENTICATED `extensions.reason`, or the app's own), in plain words: in
 * web-ui's current language (setUiLanguage), looked up when read.
 */
export const SESSION_REASONS: Readonly<Record<string, string>> = liveLabels((text) => text.sessionReasons);

/** The text for a session's end; an unknown reason reads as an invalid session. */
export function sessionReasonText(reason: string | null | undefined): string {
  const reasons: Readonly<Record<string, string>> = uiText().sessionReasons;
  return (reason && Object.hasOwn(reasons, reason) && reasons[reason]) || reasons.TOKEN_INVALID!;
}

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
      return error.message && !error.message.includes('clinicult:') ? error.message : uiText().errors.notAllowed;
    case 'UNAUTHENTICATED':
      if (error.extensions.reason === 'INVALID_CREDENTIALS') return uiText().errors.wrongCredentials;
      return error.message || sessionReasonText(error.extensions.reason as string | undefined);
    case 'INTERNAL_SERVER_ERROR':
      return uiText().errors.serverFault;
    default:
      return error.message || uiText().errors.unknown;
  }
}

/** Every problem of a failed request, one sentence each (an empty list for no error). */
export function plainErrors(error: unknown): string[] {
  if (!error) return [];
  const list = graphQLErrors(error).map(plainOf);
  if (list.length) return [...new Set(list)];
  const e = error as (Refusal & Partial<Error>) | null;
  if (e?.networkError || (e?.name === 'TypeError' && /fetch|network|load failed/i.test(e.message ?? ''))) return [uiText().errors.network];
  return [e?.message || uiText().errors.unknown];
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
