import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { ErrorBox, errorReason, InputField, plainMessage } from '@clinicult/web-ui';
import { pollInterval } from '../config';
import { useTranslation } from '../i18n';
import { useQueuePush } from '../queue-push';
import { DisplaySignInDocument, WaitingRoomDocument } from '../graphql';

/**
 * The waiting-room screen (/display, issue 17): large type, first names and initials only, on a
 * display's own key — never a staff session. The key stays on this device (localStorage) so the
 * screen comes back by itself after a restart; its tokens last an hour and are renewed with the
 * key before they end. Revoking the display in the staff app clears the screen within seconds.
 */
const KEY_STORAGE = 'clinicult.display.key';
const RENEW_BEFORE_MS = 5 * 60_000;

interface DisplayToken {
  token: string;
  expiresAt: string;
  displayName: string;
  apiUrl: string | null;
}

const CALLED_TO: Record<string, string> = { TRIAGE: 'Please go to triage', WITH_DOCTOR: 'Please go to the doctor' };

export default function DisplayScreen() {
  const [key, setKey] = useState(() => localStorage.getItem(KEY_STORAGE));
  const [session, setSession] = useState<DisplayToken | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [signIn] = useMutation(DisplaySignInDocument);

  const forget = useCallback((message: string) => {
    localStorage.removeItem(KEY_STORAGE);
    setKey(null);
    setSession(null);
    setNotice(message);
  }, []);

  const start = useCallback(
    async (withKey: string) => {
      try {
        const { data } = await signIn({ variables: { key: withKey }, context: { display: true } });
        const s = data!.displaySignIn;
        setSession({ token: s.token, expiresAt: s.expiresAt, displayName: s.displayName, apiUrl: s.apiUrl ?? null });
        setNotice(null);
        return true;
      } catch (error) {
        if (errorReason(error as Error) === 'CLIENT_KEY_INVALID') forget('This display key is not valid or was revoked. Ask the clinic ADMIN for a new one.');
        else setNotice(plainMessage(error as Error));
        return false;
      }
    },
    [forget, signIn],
  );

  // sign in with the stored key, and again shortly before each token ends
  useEffect(() => {
    if (!key) return;
    if (!session) {
      void start(key);
      return;
    }
    const renewIn = Math.max(5_000, new Date(session.expiresAt).getTime() - Date.now() - RENEW_BEFORE_MS);
    const timer = setTimeout(() => void start(key), renewIn);
    return () => clearTimeout(timer);
  }, [key, session, start]);

  if (!key) return <KeyForm notice={notice} onKey={async (k) => (await start(k)) && (localStorage.setItem(KEY_STORAGE, k), setKey(k))} />;
  if (!session) return <main className="display-screen">{notice ? <ErrorBox>{notice}</ErrorBox> : <p className="display-muted">Connecting…</p>}</main>;
  return (
    <Board
      session={session}
      onEnded={(reason) =>
        reason === 'TOKEN_EXPIRED' ? setSession(null) : forget('This display was revoked by the clinic. Ask the clinic ADMIN for a new key.')
      }
    />
  );
}

function KeyForm({ notice, onKey }: { notice: string | null; onKey(key: string): Promise<unknown> }) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    await onKey(value.trim());
    setBusy(false);
  }
  return (
    <main className="display-setup">
      <h1>Waiting-room display</h1>
      <p>Enter the display key the clinic ADMIN got when registering this display (Admin → Displays).</p>
      <ErrorBox>{notice}</ErrorBox>
      <form onSubmit={submit} noValidate aria-label="Start the display">
        <InputField label="Display key" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" spellCheck={false} required />
        <button type="submit" className="primary" disabled={busy || !value.trim()}>
          {busy ? 'Starting…' : 'Start the display'}
        </button>
      </form>
    </main>
  );
}

function Board({ session, onEnded }: { session: DisplayToken; onEnded(reason: string): void }) {
  const { t } = useTranslation();
  const [live, setLive] = useState(false);
  const { data, error, refetch } = useQuery(WaitingRoomDocument, {
    context: { token: session.token, apiUrl: session.apiUrl, display: true },
    pollInterval: live ? 0 : pollInterval(),
    fetchPolicy: 'network-only',
    notifyOnNetworkStatusChange: false,
  });
  const push = useQueuePush(() => void refetch(), { token: session.token, apiUrl: session.apiUrl, onEnded });
  useEffect(() => setLive(push === 'live'), [push]);
  useEffect(() => {
    const reason = error ? errorReason(error) : null;
    if (reason === 'CLIENT_REVOKED' || reason === 'TOKEN_EXPIRED') onEnded(reason);
  }, [error, onEnded]);
  const room = data?.waitingRoom;
  return (
    <main className="display-screen" aria-live="polite" data-push={push}>
      <header>
        <h1>Now calling</h1>
        <span className="display-muted">{session.displayName}</span>
      </header>
      {room && room.nowCalling.length === 0 && <p className="display-muted">No one is being called right now.</p>}
      <ol className="now-calling">
        {room?.nowCalling.map((entry, i) => (
          <li key={`${entry.name}-${entry.since}-${i}`} className={i === 0 ? 'latest' : undefined}>
            <span className="name">{entry.name}</span>
            <span className="where">{CALLED_TO[entry.state] ?? t(`states.${entry.state}`)}</span>
          </li>
        ))}
      </ol>
      {room && (
        <section className="waiting" aria-label="Waiting">
          <h2>Waiting: {room.waiting.length}</h2>
          <p>{room.waiting.map((w) => w.name).join(' · ')}</p>
        </section>
      )}
    </main>
  );
}
