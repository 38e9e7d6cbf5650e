import { createSessionStore, sessionReasonText } from '@clinicult/web-ui';
import { grants } from './permissions';

export { grants };

/** An operator's session: the token and what the sign-in said about it. */
export interface Session {
  token: string;
  expiresAt: string;
  userId: string;
  email: string;
  permissions: string[];
}

/** The operator's session in this tab (@clinicult/web-ui's session store). */
const store = createSessionStore<Session>('clinicult.admin.session');

const signIn = (session: Session) => store.start(session);
/** Ends the session locally (a plain sign-out: no notice). */
const signOut = () => store.end(null);
/** UNAUTHENTICATED from the server for the current token: the sign-in page says why. */
const expire = (reason: string | undefined) => store.end(reason ?? 'TOKEN_INVALID');

export function useSession() {
  const session = store.useSession();
  const reason = store.useNotice();
  return {
    session,
    /** why the last session ended (shown on the sign-in page), until the next sign-in */
    notice: reason ? sessionReasonText(reason) : null,
    signIn,
    signOut,
    expire,
    /** whether the operator holds a permission (clinicult:platform:* implies every platform action) */
    can: (permission: string) => (session ? grants(session.permissions, permission) : false),
  };
}
