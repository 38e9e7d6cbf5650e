import { createSessionStore } from '@clinicult/web-ui';
import { can, type Permission } from './permissions';

/** A signed-in person, from login / switchClinic / acceptInvitation (AuthPayload) and `me`. */
export interface Session {
  token: string;
  expiresAt: string;
  userId: string;
  /** null: several clinics and none chosen yet (the token only serves `me` and `switchClinic`) */
  clinicId: string | null;
  roles: string[];
  permissions: string[];
  displayName: string;
  email: string;
  clinicName: string | null;
  /** how many clinics the person works in (a "switch clinic" link when more than one) */
  clinicCount: number;
  /** the GraphQL API of the clinic's region, when it is not the one the app signed in at (AuthPayload.apiUrl) */
  apiUrl?: string | null;
}

/** The staff member's session in this tab (@clinicult/web-ui's session store). */
export const sessionStore = createSessionStore<Session>('clinicult.session');

export const startSession = sessionStore.start;
export const updateSession = sessionStore.update;
/** Ends the session; `reason` (e.g. CLINIC_SUSPENDED) is shown on the sign-in page. */
export const endSession = sessionStore.end;
export const clearNotice = sessionStore.clearNotice;
export const useSession = sessionStore.useSession;
/** Why the last session ended (a reason of SESSION_REASONS), until the next sign-in. */
export const useNotice = sessionStore.useNotice;

/** `const allowed = useCan(); allowed('report:read')` */
export function useCan(): (permission: Permission) => boolean {
  const session = useSession();
  return (permission) => can(session?.permissions, permission);
}
