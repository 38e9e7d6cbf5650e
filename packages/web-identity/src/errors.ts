import type { GraphQLFormattedError } from 'graphql';

/** A sign-in that waits for its second factor (auth's UNAUTHENTICATED answer with a ticket). */
export interface SecondFactorChallenge {
  reason: 'SECOND_FACTOR_REQUIRED' | 'SECOND_FACTOR_ENROLMENT_REQUIRED';
  ticket: string;
  methods: Array<'TOTP' | 'PASSKEY' | 'RECOVERY_CODE'>;
  expiresAt: string;
}

export function graphQLErrorsOf(error: unknown): readonly GraphQLFormattedError[] {
  const e = error as { graphQLErrors?: GraphQLFormattedError[]; networkError?: { result?: { errors?: GraphQLFormattedError[] } } } | null;
  return [...(e?.graphQLErrors ?? []), ...(e?.networkError?.result?.errors ?? [])];
}

/** The challenge in a refused login, acceptInvitation, resetPassword or switchClinic; null otherwise. */
export function secondFactorChallenge(error: unknown): SecondFactorChallenge | null {
  for (const e of graphQLErrorsOf(error)) {
    const x = e.extensions as Record<string, unknown> | undefined;
    if (
      x?.code === 'UNAUTHENTICATED' &&
      (x.reason === 'SECOND_FACTOR_REQUIRED' || x.reason === 'SECOND_FACTOR_ENROLMENT_REQUIRED') &&
      typeof x.ticket === 'string'
    ) {
      return { reason: x.reason, ticket: x.ticket, methods: (x.methods as SecondFactorChallenge['methods']) ?? [], expiresAt: String(x.expiresAt ?? '') };
    }
  }
  return null;
}

/** One problem of a BAD_USER_INPUT: the input path it is about (null: the form as a whole) and what is wrong. */
export interface InputProblem {
  path: string | null;
  message: string;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The problems of a refused request's BAD_USER_INPUT errors, in the one input-error shape every
 * service answers (`extensions.fields: [{ path, message }]`, DESIGN.md); read here once for both
 * web apps. An error that names no field is one problem of the whole form.
 */
export function inputProblems(error: unknown): InputProblem[] {
  const out: InputProblem[] = [];
  for (const e of graphQLErrorsOf(error)) {
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

/** The message for one field of a BAD_USER_INPUT, if any. */
export function fieldMessage(error: unknown, path: string): string | undefined {
  return inputProblems(error).find((p) => p.path === path)?.message;
}

/** One sentence for the person at the screen. */
export function plainError(error: unknown): string {
  const first = graphQLErrorsOf(error)[0];
  if (first) {
    if (first.extensions?.code === 'INTERNAL_SERVER_ERROR') return 'Something went wrong on our side. Please try again in a moment.';
    return first.message;
  }
  const name = (error as { name?: string } | null)?.name;
  if (name === 'NotAllowedError') return 'The passkey request was cancelled or timed out. Try again.';
  if (name === 'InvalidStateError') return 'This device already holds a passkey for this account.';
  if ((error as { networkError?: unknown } | null)?.networkError) return 'Cannot reach the Clinicult server. Check the connection and try again.';
  return (error as Error | null)?.message ?? 'Something went wrong. Try again.';
}
