import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { signedOutMessage } from './errors';
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

interface SessionContextValue {
  session: Session | null;
  /** why the last session ended (shown on the sign-in page), until the next sign-in */
  notice: string | null;
  signIn(session: Session): void;
  /** ends the session locally; `notice` explains why (omit for a plain sign-out) */
  signOut(notice?: string): void;
  /** UNAUTHENTICATED from the server for the current token */
  expire(reason: string | undefined): void;
  /** whether the operator holds a permission (clinicult:platform:* implies every platform action) */
  can(permission: string): boolean;
}

const STORAGE_KEY = 'clinicult.admin.session';
const SessionContext = createContext<SessionContextValue | null>(null);

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    if (typeof session.token !== 'string' || Date.parse(session.expiresAt) <= Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

export function SessionProvider({ children, onEnd }: { children: ReactNode; onEnd?: () => void }) {
  const [session, setSession] = useState<Session | null>(load);
  const [notice, setNotice] = useState<string | null>(null);
  const onEndRef = useRef(onEnd);
  onEndRef.current = onEnd;

  const signIn = useCallback((next: Session) => {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    setNotice(null);
    setSession(next);
  }, []);

  const signOut = useCallback((why?: string) => {
    sessionStorage.removeItem(STORAGE_KEY);
    setNotice(why ?? null);
    setSession(null);
    onEndRef.current?.();
  }, []);

  const expire = useCallback((reason: string | undefined) => signOut(signedOutMessage(reason)), [signOut]);

  // a token lives two weeks: sign out when it expires rather than on the next failed request
  useEffect(() => {
    if (!session) return;
    const left = Date.parse(session.expiresAt) - Date.now();
    const timer = setTimeout(() => expire('TOKEN_EXPIRED'), Math.min(Math.max(left, 0), 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [session, expire]);

  const value = useMemo<SessionContextValue>(
    () => ({
      session,
      notice,
      signIn,
      signOut,
      expire,
      can: (permission) => (session ? grants(session.permissions, permission) : false),
    }),
    [session, notice, signIn, signOut, expire],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
