import { DataLoader } from '@clinicult/kit';
import type { UsersDb } from './db.js';
import { loadVisibleMemberships, loadVisibleUsers, type MembershipView, type Scope, type UserRow } from './domain/users.js';

/**
 * Per-request DataLoaders: `User` entity references (`_entities`, `user(id)`) and the memberships
 * of listed users each cost one SQL query per request, whatever the number of ids. Both are bound
 * to the caller's scope, so a reference to another clinic's user resolves to null.
 */
export interface Loaders {
  users: DataLoader<string, UserRow | null>;
  memberships: DataLoader<string, MembershipView[]>;
}

export function createLoaders(db: UsersDb, scope: Scope): Loaders {
  return {
    users: new DataLoader<string, UserRow | null>((ids) => loadVisibleUsers(db, scope, ids), { maxBatchSize: 500 }),
    memberships: new DataLoader<string, MembershipView[]>((ids) => loadVisibleMemberships(db, scope, ids), {
      maxBatchSize: 500,
    }),
  };
}
