import type { FollowedInvitationFieldsFragment, InvitationStatus } from '../__generated__/graphql';
import { fill, liveLabels, uiText } from '../i18n';

// An invitation as its inviter follows it (a clinic's ADMIN, or the operator for a first ADMIN): the
// fragment FollowedInvitationFields (fragments.graphql), typed `FollowedInvitation` (./documents);
// ResendInvitation and RevokeInvitation are in operations.graphql.

/** An invitation's status in plain words, in web-ui's current language (setUiLanguage), looked up when read. */
export const INVITATION_STATUS_LABELS: Readonly<Record<InvitationStatus, string>> = liveLabels((text) => text.invitations.status);

/** Whether the invitation may still be sent again. */
export const canResend = (i: Pick<FollowedInvitationFieldsFragment, 'status'>) => i.status === 'PENDING' || i.status === 'NOT_DELIVERED' || i.status === 'EXPIRED';

const MIN_PASSWORD_LENGTH = 10;

/** The check both apps make before sending a new password (the server checks its strength). */
export function newPasswordProblems(password: string, confirm: string): { password?: string; confirm?: string } {
  const text = uiText().invitations;
  const problems: { password?: string; confirm?: string } = {};
  if (password.length < MIN_PASSWORD_LENGTH) problems.password = fill(text.passwordTooShort, { min: MIN_PASSWORD_LENGTH });
  if (confirm !== password) problems.confirm = text.passwordsDiffer;
  return problems;
}
