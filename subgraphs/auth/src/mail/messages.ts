/**
 * The mail auth sends, as plain text: short, saying who sent it and why, and what to do if it was
 * not expected. Links appear only here and in the outbox row until it is sent.
 */
export interface Mail {
  subject: string;
  text: string;
}

const FOOTER = '\n\n— Clinicult\nThis message was sent automatically; replies are not read.';

const roleList = (roles: readonly string[]) => roles.map((r) => r.charAt(0) + r.slice(1).toLowerCase()).join(', ');

export function invitationMail(input: {
  clinicName: string;
  roles: readonly string[];
  inviterName: string;
  link: string;
  expiresAt: Date;
}): Mail {
  return {
    subject: `You are invited to ${input.clinicName} on Clinicult`,
    text:
      `${input.inviterName} invited you to join ${input.clinicName} on Clinicult as ${roleList(input.roles)}.\n\n` +
      `Choose your password here (the link works once, until ${input.expiresAt.toUTCString()}):\n${input.link}\n\n` +
      'After that, sign in and accept the invitation. If you did not expect this invitation, ignore this message.' +
      FOOTER,
  };
}

export function membershipInvitationMail(input: {
  clinicName: string;
  roles: readonly string[];
  inviterName: string;
  link: string;
}): Mail {
  return {
    subject: `${input.clinicName} invites you to join on Clinicult`,
    text:
      `${input.inviterName} invited you to join ${input.clinicName} on Clinicult as ${roleList(input.roles)}.\n\n` +
      `Sign in with your usual Clinicult password and accept or decline the invitation:\n${input.link}\n\n` +
      'Nothing changes for your other clinics. If you did not expect this invitation, decline it or ignore this message.' +
      FOOTER,
  };
}

export function passwordResetMail(input: { link: string; minutes: number }): Mail {
  return {
    subject: 'Reset your Clinicult password',
    text:
      'Someone (hopefully you) asked to reset the password of your Clinicult account.\n\n' +
      `Choose a new password here (the link works once, for ${input.minutes} minutes):\n${input.link}\n\n` +
      'Resetting signs you out everywhere. If you did not ask for this, ignore this message: your password stays as it is.' +
      FOOTER,
  };
}

export function passwordChangedMail(input: { how: 'reset' | 'changed'; at: Date }): Mail {
  return {
    subject: 'Your Clinicult password was changed',
    text:
      `The password of your Clinicult account was ${input.how === 'reset' ? 'reset with an emailed link' : 'changed'} ` +
      `on ${input.at.toUTCString()}, and every session was signed out.\n\n` +
      'If this was not you, reset your password at once from the sign-in page and tell your clinic ADMIN.' +
      FOOTER,
  };
}

export function secondFactorsRemovedMail(input: { at: Date }): Mail {
  return {
    subject: 'The second factors of your Clinicult account were removed',
    text:
      `Your clinic administrator removed the authenticator apps, passkeys and recovery codes of your Clinicult account ` +
      `on ${input.at.toUTCString()}, and every session was signed out. Sign in again and set up a new second factor.\n\n` +
      'If you did not ask for this, tell your clinic administrator at once.' +
      FOOTER,
  };
}

/** What stays of a body once it is sent: the text, with its links replaced. */
export function withoutLinks(text: string): string {
  return text.replace(/https?:\/\/\S+/g, '[link removed after delivery]');
}
