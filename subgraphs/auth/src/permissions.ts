import { allow, can, isAuthenticated, isUser, serviceCan, SERVICE_CAPABILITIES, type IRules } from '@clinicult/rbac';

/** Who may call what on auth; anything unlisted is denied (buildShield's fallback). */
export const rules: IRules = {
  Query: {
    authKeyIds: serviceCan(SERVICE_CAPABILITIES.credentialsWrite),
    identities: serviceCan(SERVICE_CAPABILITIES.credentialsWrite),
    mySecondFactors: isUser,
    displays: can('clinicult:display:write'),
    apiClients: can('clinicult:integration:read'),
  },
  Mutation: {
    // public: each proves itself (a password, an emailed link, a sign-in ticket)
    login: allow,
    acceptInvitation: allow,
    requestPasswordReset: allow,
    resetPassword: allow,
    verifySecondFactor: allow,
    passkeyLoginOptions: allow,
    // signed in, or holding an enrolment ticket (checked in the domain)
    startTotpEnrolment: allow,
    confirmTotpEnrolment: allow,
    passkeyRegistrationOptions: allow,
    registerPasskey: allow,
    switchClinic: isUser,
    logout: isUser,
    changePassword: isUser,
    removeTotp: isUser,
    removePasskey: isUser,
    regenerateRecoveryCodes: isUser,
    setClinicMfaRequired: can('clinicult:clinic:write'),
    registerDisplay: can('clinicult:display:write'),
    revokeDisplay: can('clinicult:display:write'),
    registerApiClient: can('clinicult:integration:write'),
    revokeApiClient: can('clinicult:integration:write'),
    // public: the display's key proves it
    displaySignIn: allow,
    clearSecondFactors: serviceCan(SERVICE_CAPABILITIES.credentialsWrite),
  },
  AuthPayload: allow,
  DisplaySession: allow,
  // reached only through the display:write-ruled fields
  Display: isAuthenticated,
  DisplayRegistration: isAuthenticated,
  // reached only through the integration-ruled fields
  ApiClient: isAuthenticated,
  // reached only through the service-ruled `identities`
  Identity: allow,
  IdentityMembership: allow,
  User: allow,
  TotpEnrolment: allow,
  SecondFactorEnrolment: allow,
  SecondFactors: isUser,
  PasskeyInfo: isUser,
  // entities: reached through a ruled root field or `_entities` (which the kit rules), scoped in the resolvers
  Clinic: isAuthenticated,
  Invitation: isAuthenticated,
  MailDelivery: isAuthenticated,
};
