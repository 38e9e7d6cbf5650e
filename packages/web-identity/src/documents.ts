import { gql } from '@apollo/client';

/**
 * The operations of the sign-in steps and the security settings, once for both apps. Every
 * second-factor step that finishes a sign-in answers the same AuthPayload fields as `login`.
 */
export const AUTH_PAYLOAD_FIELDS = 'token expiresAt clinicId roles permissions user { id }';

export interface AuthPayload {
  token: string;
  expiresAt: string;
  clinicId: string | null;
  roles: string[];
  permissions: string[];
  user: { id: string };
}

export const VERIFY_SECOND_FACTOR = gql`
  mutation VerifySecondFactor($ticket: String!, $code: String, $recoveryCode: String, $passkey: JSON) {
    verifySecondFactor(ticket: $ticket, code: $code, recoveryCode: $recoveryCode, passkey: $passkey) { ${AUTH_PAYLOAD_FIELDS} }
  }
`;

export const PASSKEY_LOGIN_OPTIONS = gql`
  mutation PasskeyLoginOptions($ticket: String!) {
    passkeyLoginOptions(ticket: $ticket)
  }
`;

export const START_TOTP_ENROLMENT = gql`
  mutation StartTotpEnrolment($ticket: String) {
    startTotpEnrolment(ticket: $ticket) { secret otpauthUrl qrCodeDataUrl }
  }
`;

export const CONFIRM_TOTP_ENROLMENT = gql`
  mutation ConfirmTotpEnrolment($code: String!, $ticket: String) {
    confirmTotpEnrolment(code: $code, ticket: $ticket) { recoveryCodes session { ${AUTH_PAYLOAD_FIELDS} } }
  }
`;

export const PASSKEY_REGISTRATION_OPTIONS = gql`
  mutation PasskeyRegistrationOptions($ticket: String) {
    passkeyRegistrationOptions(ticket: $ticket)
  }
`;

export const REGISTER_PASSKEY = gql`
  mutation RegisterPasskey($response: JSON!, $name: String, $ticket: String) {
    registerPasskey(response: $response, name: $name, ticket: $ticket) { recoveryCodes session { ${AUTH_PAYLOAD_FIELDS} } }
  }
`;

const FACTORS_FIELDS = 'totp passkeys { id name createdAt lastUsedAt } recoveryCodesLeft required';

export const MY_SECOND_FACTORS = gql`
  query MySecondFactors {
    mySecondFactors { ${FACTORS_FIELDS} }
  }
`;

export const REMOVE_TOTP = gql`
  mutation RemoveTotp($password: String!) {
    removeTotp(password: $password) { ${FACTORS_FIELDS} }
  }
`;

export const REMOVE_PASSKEY = gql`
  mutation RemovePasskey($id: ID!, $password: String!) {
    removePasskey(id: $id, password: $password) { ${FACTORS_FIELDS} }
  }
`;

export const REGENERATE_RECOVERY_CODES = gql`
  mutation RegenerateRecoveryCodes {
    regenerateRecoveryCodes
  }
`;

export const REQUEST_PASSWORD_RESET = gql`
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`;

/** The first password, with the link of an invitation mail (staff) or of the create-operator command. */
export const ACCEPT_INVITATION = gql`
  mutation AcceptInvitation($token: String!, $password: String!) {
    acceptInvitation(token: $token, password: $password) { ${AUTH_PAYLOAD_FIELDS} }
  }
`;

export const RESET_PASSWORD = gql`
  mutation ResetPassword($token: String!, $password: String!) {
    resetPassword(token: $token, password: $password) { ${AUTH_PAYLOAD_FIELDS} }
  }
`;

export interface SecondFactors {
  totp: boolean;
  passkeys: Array<{ id: string; name: string; createdAt: string; lastUsedAt: string | null }>;
  recoveryCodesLeft: number;
  required: boolean;
}

export interface EnrolmentResult {
  recoveryCodes: string[];
  session: AuthPayload | null;
}
