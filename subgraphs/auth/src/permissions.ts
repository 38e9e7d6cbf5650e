import { allow, isUser, serviceCan, SERVICE_CAPABILITIES, type IRules } from '@clinicult/rbac';

/** Who may call what on auth; anything unlisted is denied (buildShield's fallback). */
export const rules: IRules = {
  Query: {
    authKeyIds: serviceCan(SERVICE_CAPABILITIES.credentialsWrite),
  },
  Mutation: {
    login: allow,
    acceptInvitation: allow,
    switchClinic: isUser,
    logout: isUser,
    changePassword: isUser,
    upsertCredential: serviceCan(SERVICE_CAPABILITIES.credentialsWrite),
    createInvitation: serviceCan(SERVICE_CAPABILITIES.credentialsWrite),
    syncMembership: serviceCan(SERVICE_CAPABILITIES.credentialsWrite),
    setCredentialStatus: serviceCan(SERVICE_CAPABILITIES.credentialsWrite),
    setClinicAccess: serviceCan(SERVICE_CAPABILITIES.clinicStatusWrite),
  },
  AuthPayload: allow,
  User: allow,
  InvitationTicket: allow,
};
