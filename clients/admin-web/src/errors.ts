import { ApolloError } from '@apollo/client';
import type { GraphQLFormattedError } from 'graphql';
import { inputProblems } from '@clinicult/web-identity/errors';

/** Why a session ended, in plain words (DESIGN.md: extensions.reason of UNAUTHENTICATED). */
export const SIGNED_OUT_REASONS: Record<string, string> = {
  TOKEN_EXPIRED: 'Your session has expired. Please sign in again.',
  SESSION_REVOKED:
    'Your session was ended: you signed out elsewhere, or your password or access changed. Please sign in again.',
  USER_DEACTIVATED: 'Your account has been deactivated. Ask another operator if you think this is a mistake.',
  CLINIC_SUSPENDED: 'This clinic has been suspended.',
  TOKEN_INVALID: 'Your session is no longer valid. Please sign in again.',
  SECOND_FACTOR_REQUIRED: 'Operators sign in with a second factor. Please sign in again.',
};

export function signedOutMessage(reason: string | undefined): string {
  return (reason && SIGNED_OUT_REASONS[reason]) || SIGNED_OUT_REASONS.TOKEN_INVALID!;
}

export interface PlainError {
  /** what to show */
  message: string;
  /** the input it is about (a BAD_USER_INPUT field's path, e.g. "input.name"), if any */
  field?: string;
  code?: string;
}

const NETWORK_MESSAGE = 'The server could not be reached. Check your connection and try again.';

function fromGraphQLError(error: GraphQLFormattedError): PlainError[] {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : undefined;
  if (code === 'BAD_USER_INPUT') {
    // one problem per field, as @clinicult/web-identity reads the one input-error shape
    return inputProblems({ graphQLErrors: [error] }).map((p) => ({ message: p.message, code, ...(p.path ? { field: p.path } : {}) }));
  }
  return [fromOtherError(error, code)];
}

function fromOtherError(error: GraphQLFormattedError, code: string | undefined): PlainError {
  switch (code) {
    case 'FORBIDDEN':
      return { message: 'You are not allowed to do this.', code };
    case 'NOT_FOUND':
      return { message: error.message, code };
    case 'UNAUTHENTICATED':
      return { message: signedOutMessage(error.extensions?.reason as string | undefined), code };
    case 'INTERNAL_SERVER_ERROR':
      return { message: 'Something went wrong on the server. Try again in a moment.', code };
    default:
      return { message: error.message, code };
  }
}

/** Every problem of a failed request, in plain words. */
export function plainErrors(error: unknown): PlainError[] {
  if (error instanceof ApolloError) {
    const list: PlainError[] = error.graphQLErrors.flatMap(fromGraphQLError);
    const network = error.networkError as (Error & { result?: { errors?: GraphQLFormattedError[] } }) | null;
    if (network) {
      const bodyErrors = network.result?.errors;
      if (Array.isArray(bodyErrors) && bodyErrors.length) list.push(...bodyErrors.flatMap(fromGraphQLError));
      else list.push({ message: NETWORK_MESSAGE });
    }
    if (list.length === 0) list.push({ message: error.message });
    return list;
  }
  if (error instanceof TypeError) return [{ message: NETWORK_MESSAGE }];
  if (error instanceof Error) return [{ message: error.message }];
  return [{ message: 'Something went wrong. Try again.' }];
}

/** "input.fields[2].options" → "fields.2.options": the path of a form control. */
export function fieldPath(field: string): string {
  return field.replace(/\[(\d+)\]/g, '.$1').replace(/^input\./, '');
}

/**
 * Errors split by the form control they are about ("input.name" → "name"); problems about no
 * control, or one `shown` does not accept, go under "" (shown above the form).
 */
export function errorsByField(error: unknown, shown?: (path: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const problem of plainErrors(error)) {
    let key: string = problem.field ? fieldPath(problem.field) : '';
    if (key !== '' && shown && !shown(key)) key = '';
    out[key] = out[key] ? `${out[key]} ${problem.message}` : problem.message;
  }
  return out;
}
