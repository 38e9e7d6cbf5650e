import { graphQLErrors } from '../errors';

/** A sign-in that waits for its second factor (auth's UNAUTHENTICATED answer with a ticket). */
export interface SecondFactorChallenge {
  reason: 'SECOND_FACTOR_REQUIRED' | 'SECOND_FACTOR_ENROLMENT_REQUIRED';
  ticket: string;
  methods: Array<'TOTP' | 'PASSKEY' | 'RECOVERY_CODE'>;
  expiresAt: string;
}

/** The challenge in a refused login, acceptInvitation, resetPassword or switchClinic; null otherwise. */
export function secondFactorChallenge(error: unknown): SecondFactorChallenge | null {
  for (const e of graphQLErrors(error)) {
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
