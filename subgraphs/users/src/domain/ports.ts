// What users' domain needs of other services, as interfaces; the implementations over HTTP are in
// ../adapters/ (auth.ts, admin.ts), and tests may hand in their own.

/**
 * users is the only service that changes logins and roles in auth (DESIGN.md). Logins,
 * invitations, roles, memberships and account status travel as identity events
 * (domain/identity-events.ts); these are the calls that remain: reading auth's copy (the reconcile
 * command) and clearing second factors (schema/auth.graphql, `@inaccessible`), with users' service
 * token, naming the clinic each acts for.
 */
export interface AuthCallContext {
  clinicId: string | null;
  requestId?: string;
}

/** auth's copy of one user (its internal `identities` query), compared by the reconcile command. */
export interface AuthIdentity {
  userId: string;
  active: boolean;
  memberships: Array<{ clinicId: string; roles: string[] }>;
}

export interface AuthClient {
  /** auth's copy of these users (at most 500); users auth has no login for are left out. */
  identities(userIds: readonly string[], ctx: AuthCallContext): Promise<AuthIdentity[]>;
  /** Removes every second factor (a lost device); every session ends. */
  clearSecondFactors(userId: string, ctx: AuthCallContext): Promise<void>;
}

/** What users needs to know about clinics: whether one exists and its name (admin owns the registry). */
export interface ClinicDirectory {
  /** The clinic, or null when admin says there is none; throws when admin cannot be asked. */
  info(clinicId: string, ctx: { requestId?: string }): Promise<{ id: string; name: string; cluster: string } | null>;
}
