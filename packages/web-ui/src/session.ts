import { useSyncExternalStore } from 'react';

/** What every app's session holds at least: the bearer token and when it stops working. */
export interface StoredSession {
  token: string;
  expiresAt: string;
}

export interface SessionStore<S extends StoredSession> {
  get(): S | null;
  /** why the last session ended (a reason of SESSION_REASONS, e.g. CLINIC_SUSPENDED), until the next sign-in */
  notice(): string | null;
  subscribe(listener: () => void): () => void;
  /** called when a session ends, e.g. to clear the Apollo cache */
  onEnd(handler: () => void): () => void;
  start(session: S): void;
  update(patch: Partial<S>): void;
  /**
   * Ends the session; `reason` is kept as the notice the sign-in page shows. A reason arriving when
   * no session is open (a late refusal after a sign-out) is dropped, unless `evenIfEnded`.
   */
  end(reason: string | null, options?: { evenIfEnded?: boolean }): void;
  clearNotice(): void;
  useSession(): S | null;
  useNotice(): string | null;
}

/**
 * The session of one browser tab (sessionStorage under `key`): read back on load while its token
 * is good, ended when the token expires (TOKEN_EXPIRED) or the app ends it, observable by React.
 */
export function createSessionStore<S extends StoredSession>(key: string): SessionStore<S> {
  let current: S | null = read();
  let notice: string | null = null;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<() => void>();
  const endHandlers = new Set<() => void>();

  function read(): S | null {
    try {
      const raw = sessionStorage.getItem(key);
      if (!raw) return null;
      const parsed = JSON.parse(raw) as S;
      if (typeof parsed.token !== 'string' || !parsed.token || !(Date.parse(parsed.expiresAt) > Date.now())) return null;
      return parsed;
    } catch {
      return null;
    }
  }

  const emit = () => listeners.forEach((listener) => listener());

  function scheduleExpiry() {
    clearTimeout(expiryTimer);
    if (!current) return;
    const ms = Date.parse(current.expiresAt) - Date.now();
    // setTimeout holds at most ~24.8 days; tokens live 14
    expiryTimer = setTimeout(() => store.end('TOKEN_EXPIRED'), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
  }

  const store: SessionStore<S> = {
    get: () => current,
    notice: () => notice,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onEnd(handler) {
      endHandlers.add(handler);
      return () => endHandlers.delete(handler);
    },
    start(session) {
      current = session;
      notice = null;
      sessionStorage.setItem(key, JSON.stringify(session));
      scheduleExpiry();
      emit();
    },
    update(patch) {
      if (current) store.start({ ...current, ...patch });
    },
    end(reason, options) {
      if (!current && reason === null) return;
      const hadSession = current !== null;
      current = null;
      clearTimeout(expiryTimer);
      sessionStorage.removeItem(key);
      if (reason && (hadSession || options?.evenIfEnded)) notice = reason;
      endHandlers.forEach((handler) => handler());
      emit();
    },
    clearNotice() {
      if (notice === null) return;
      notice = null;
      emit();
    },
    useSession: () => useSyncExternalStore(store.subscribe, store.get),
    useNotice: () => useSyncExternalStore(store.subscribe, store.notice),
  };
  scheduleExpiry();
  return store;
}
