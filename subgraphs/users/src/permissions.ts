import { can, isAuthenticated, isUser, serviceCan, SERVICE_CAPABILITIES, type IRules } from '@clinicult/rbac';

/**
 * Who may call what (graphql-shield; anything not listed is denied). Tenant rules — which users a
 * caller may see or change — live in the domain layer, which scopes every query by the clinic.
 */
const readUsers = can('clinicult:user:read');
const writeUsers = can('clinicult:user:write');

export const rules: IRules = {
  Query: {
    // staff, a user who has not chosen a clinic yet (its memberships list the choices), operators
    me: isUser,
    user: readUsers,
    users: readUsers,
    // internal: admin's overview (a count, never rows), for the clinic named by the call
    clinicStaffCount: serviceCan(SERVICE_CAPABILITIES.clinicCounts),
  },
  Mutation: {
    createUser: writeUsers,
    // oneself (every staff role reads users), or an ADMIN for others: decided in domain/users.ts
    updateUser: readUsers,
    setMembership: writeUsers,
    removeMembership: writeUsers,
    deactivateUser: writeUsers,
    reactivateUser: writeUsers,
    provisionAdminUser: serviceCan(SERVICE_CAPABILITIES.userProvision),
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
};
