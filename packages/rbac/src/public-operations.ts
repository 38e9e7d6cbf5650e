/**
 * The only operations a caller without a token may send (DESIGN.md, security model): auth's
 * mutations that prove themselves — a password, an emailed link, the ticket of a sign-in that
 * waits for its second factor, a waiting-room display's key. The gateway refuses every other anonymous request before planning;
 * auth's kit lets these (and only these) through without a token.
 */
export const PUBLIC_MUTATIONS: readonly string[] = [
  'login',
  'acceptInvitation',
  'requestPasswordReset',
  'resetPassword',
  'verifySecondFactor',
  'passkeyLoginOptions',
  'startTotpEnrolment',
  'confirmTotpEnrolment',
  'passkeyRegistrationOptions',
  'registerPasskey',
  'displaySignIn',
];
