import { gql } from '@apollo/client';

/**
 * An invitation as its inviter follows it (a clinic's ADMIN, or the operator for a first ADMIN):
 * who, which roles, and how it stands — never its link, which only the invited person gets.
 */
export const INVITATION_FIELDS =
  'id email firstName lastName roles invitedByName invitedAt sentAt expiresAt status delivery { status attempts lastError sentAt }';

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'DECLINED' | 'EXPIRED' | 'REVOKED' | 'NOT_DELIVERED';

export interface FollowedInvitation {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  roles: string[];
  invitedByName: string;
  invitedAt: string;
  sentAt: string;
  expiresAt: string;
  status: InvitationStatus;
  delivery: { status: 'QUEUED' | 'SENT' | 'FAILED'; attempts: number; lastError: string | null; sentAt: string | null } | null;
}

export const INVITATION_STATUS_LABELS: Record<InvitationStatus, string> = {
  PENDING: 'Waiting for an answer',
  ACCEPTED: 'Accepted',
  DECLINED: 'Declined',
  EXPIRED: 'Expired',
  REVOKED: 'Withdrawn',
  NOT_DELIVERED: 'Not delivered',
};

/** Whether the invitation may still be sent again. */
export const canResend = (i: Pick<FollowedInvitation, 'status'>) => i.status === 'PENDING' || i.status === 'NOT_DELIVERED' || i.status === 'EXPIRED';

export const RESEND_INVITATION = gql`
  mutation ResendInvitation($id: ID!) {
    resendInvitation(id: $id) { ${INVITATION_FIELDS} }
  }
`;

export const REVOKE_INVITATION = gql`
  mutation RevokeInvitation($id: ID!) {
    revokeInvitation(id: $id) { ${INVITATION_FIELDS} }
  }
`;

/** The check both apps make before sending a new password (the server checks its strength). */
export function newPasswordProblems(password: string, confirm: string): { password?: string; confirm?: string } {
  const problems: { password?: string; confirm?: string } = {};
  if (password.length < 10) problems.password = 'Choose a password of at least 10 characters.';
  if (confirm !== password) problems.confirm = 'The two passwords are not the same.';
  return problems;
}
