import { useSyncExternalStore } from 'react';
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

export interface Notice {
  reason: string;
}

const KEY = 'clinicult.session';
let current: Session | null = read();
let notice: Notice | null = null;
let expiryTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();
const endHandlers = new Set<() => void>();

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Session;
    if (!parsed.token || Date.parse(parsed.expiresAt) <= Date.now()) return null;
    return parsed;
  } catch {
    return null;
  }
}

function emit() {
  for (const listener of listeners) listener();
}

function scheduleExpiry() {
  clearTimeout(expiryTimer);
  if (!current) return;
  const ms = Date.parse(current.expiresAt) - Date.now();
  // setTimeout holds at most ~24.8 days; tokens live 14
  expiryTimer = setTimeout(() => endSession('TOKEN_EXPIRED'), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
}

export const sessionStore = {
  get: () => current,
  notice: () => notice,
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Called when a session ends, e.g. to clear the Apollo cache. */
  onEnd(handler: () => void) {
    endHandlers.add(handler);
    return () => endHandlers.delete(handler);
  },
};

export function startSession(session: Session) {
  current = session;
  notice = null;
  sessionStorage.setItem(KEY, JSON.stringify(session));
  scheduleExpiry();
  emit();
}

export function updateSession(patch: Partial<Session>) {
  if (!current) return;
  startSession({ ...current, ...patch });
}

/** Ends the session; `reason` (e.g. CLINIC_SUSPENDED) is shown on the sign-in page. */
export function endSession(reason: string | null) {
  if (!current && reason === null) return;
  const hadSession = current !== null;
  current = null;
  clearTimeout(expiryTimer);
  sessionStorage.removeItem(KEY);
  if (reason && (hadSession || reason === 'PASSWORD_CHANGED')) notice = { reason };
  for (const handler of endHandlers) handler();
  emit();
}

export function clearNotice() {
  if (!notice) return;
  notice = null;
  emit();
}

scheduleExpiry();

export function useSession(): Session | null {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.get);
}

export function useNotice(): Notice | null {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.notice);
}

/** `const allowed = useCan(); allowed('report:read')` */
export function useCan(): (permission: Permission) => boolean {
  const session = useSession();
  return (permission) => can(session?.permissions, permission);
}
