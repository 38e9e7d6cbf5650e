import { can, isAuthenticated, isUser, operatorCan, or, serviceCan, SERVICE_CAPABILITIES, type IRules } from '@clinicult/rbac';

/**
 * Who may call what (graphql-shield; anything not listed is denied). Tenant rules — which users a
 * caller may see or change — live in the domain layer, which scopes every query by the clinic.
 */
const readUsers = can('clinicult:user:read');
const writeUsers = can('clinicult:user:write');
/** a clinic's ADMIN, or an operator for the first-ADMIN invitations they sent */
const manageInvitations = or(writeUsers, operatorCan('write'));

export const rules: IRules = {
  Query: {
    // staff, a user who has not chosen a clinic yet (its memberships list the choices), operators
    me: isUser,
    user: readUsers,
    users: readUsers,
    invitations: or(writeUsers, operatorCan('read')),
    // internal: admin's overview (a count, never rows), for the clinic named by the call
    clinicStaffCount: serviceCan(SERVICE_CAPABILITIES.clinicCounts),
    staffNames: serviceCan(SERVICE_CAPABILITIES.staffNames),
  },
  Mutation: {
    createUser: writeUsers,
    resendInvitation: manageInvitations,
    revokeInvitation: manageInvitations,
    // the invited person, signed in to any clinic or none (checked against the invitation in the domain)
    acceptClinicInvitation: isUser,
    declineClinicInvitation: isUser,
    // oneself (every staff role reads users), or an ADMIN for others: decided in domain/users.ts
    updateUser: readUsers,
    setMembership: writeUsers,
    removeMembership: writeUsers,
    deactivateUser: writeUsers,
    reactivateUser: writeUsers,
    resetSecondFactors: writeUsers,
    provisionAdminUser: serviceCan(SERVICE_CAPABILITIES.userProvision),
    upsertOperatorProfile: serviceCan(SERVICE_CAPABILITIES.operatorProfileWrite),
  },
  // Reached only through a ruled root field or `_entities` (which the kit rules), and scoped there.
  User: isAuthenticated,
  Membership: isAuthenticated,
  Clinic: isAuthenticated,
  UserConnection: isAuthenticated,
  UserEdge: isAuthenticated,
  PageInfo: isAuthenticated,
  CreateUserPayload: isAuthenticated,
  Invitation: isAuthenticated,
  StaffName: serviceCan(SERVICE_CAPABILITIES.staffNames),
};
