import type { FollowedInvitationFieldsFragment, InvitationStatus } from '../__generated__/graphql';

// An invitation as its inviter follows it (a clinic's ADMIN, or the operator for a first ADMIN): the
// fragment FollowedInvitationFields (fragments.graphql), typed `FollowedInvitation` (./documents);
// ResendInvitation and RevokeInvitation are in operations.graphql.

export const INVITATION_STATUS_LABELS: Record<InvitationStatus, string> = {
  PENDING: 'Waiting for an answer',
  ACCEPTED: 'Accepted',
  DECLINED: 'Declined',
  EXPIRED: 'Expired',
  REVOKED: 'Withdrawn',
  NOT_DELIVERED: 'Not delivered',
};

/** Whether the invitation may still be sent again. */
export const canResend = (i: Pick<FollowedInvitationFieldsFragment, 'status'>) => i.status === 'PENDING' || i.status === 'NOT_DELIVERED' || i.status === 'EXPIRED';

/** The check both apps make before sending a new password (the server checks its strength). */
export function newPasswordProblems(password: string, confirm: string): { password?: string; confirm?: string } {
  const problems: { password?: string; confirm?: string } = {};
  if (password.length < 10) problems.password = 'Choose a password of at least 10 characters.';
  if (confirm !== password) problems.confirm = 'The two passwords are not the same.';
  return problems;
}
