import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { ErrorBox, errorReason, formatNumber, InputField, plainMessage } from '@clinicult/web-ui';
import { pollInterval } from '../config';
import { supported, useLanguage, useTranslation } from '../i18n';
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

/** Where a called patient goes, by the visit's state: catalogue keys (other states show the state's name). */
const CALLED_TO: Record<string, string> = { TRIAGE: 'display.calledTo.TRIAGE', WITH_DOCTOR: 'display.calledTo.WITH_DOCTOR' };

export default function DisplayScreen() {
  const { t } = useTranslation();
  const [key, setKey] = useState(() => localStorage.getItem(KEY_STORAGE));
  const [session, setSession] = useState<DisplayToken | null>(null);
  // our own notices are catalogue keys (written in the screen's language when shown), the API's are its words
  const [notice, setNotice] = useState<{ key: string } | { text: string } | null>(null);
  const noticeText = notice && ('key' in notice ? t(notice.key) : notice.text);
  const [signIn] = useMutation(DisplaySignInDocument);

  const forget = useCallback((messageKey: string) => {
    localStorage.removeItem(KEY_STORAGE);
    setKey(null);
    setSession(null);
    setNotice({ key: messageKey });
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
        if (errorReason(error as Error) === 'CLIENT_KEY_INVALID') forget('display.keyInvalid');
        else setNotice({ text: plainMessage(error as Error) });
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

  if (!key) return <KeyForm notice={noticeText} onKey={async (k) => (await start(k)) && (localStorage.setItem(KEY_STORAGE, k), setKey(k))} />;
  if (!session) return <main className="display-screen">{noticeText ? <ErrorBox>{noticeText}</ErrorBox> : <p className="display-muted">{t('display.connecting')}</p>}</main>;
  return (
    <Board
      session={session}
      onEnded={(reason) =>
        reason === 'TOKEN_EXPIRED' ? setSession(null) : forget('display.revoked')
      }
    />
  );
}

function KeyForm({ notice, onKey }: { notice: string | null; onKey(key: string): Promise<unknown> }) {
  const { t } = useTranslation();
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
      <h1>{t('display.setup.title')}</h1>
      <p>{t('display.setup.help')}</p>
      <ErrorBox>{notice}</ErrorBox>
      <form onSubmit={submit} noValidate aria-label={t('display.setup.start')}>
        <InputField label={t('display.setup.key')} value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" spellCheck={false} required />
        <button type="submit" className="primary" disabled={busy || !value.trim()}>
          {busy ? t('display.setup.starting') : t('display.setup.start')}
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
  // the screen speaks its clinic's language, whatever the device's browser says
  useLanguage(supported(data?.clinicLanguage));
  const room = data?.waitingRoom;
  return (
    <main className="display-screen" aria-live="polite" data-push={push}>
      <header>
        <h1>{t('display.nowCalling')}</h1>
        <span className="display-muted">{session.displayName}</span>
      </header>
      {room && room.nowCalling.length === 0 && <p className="display-muted">{t('display.nobody')}</p>}
      <ol className="now-calling">
        {room?.nowCalling.map((entry, i) => (
          <li key={`${entry.name}-${entry.since}-${i}`} className={i === 0 ? 'latest' : undefined}>
            <span className="name">{entry.name}</span>
            <span className="where">{t(CALLED_TO[entry.state] ?? `states.${entry.state}`)}</span>
          </li>
        ))}
      </ol>
      {room && (
        <section className="waiting" aria-label={t('states.WAITING')}>
          <h2>{t('display.waiting', { number: formatNumber(room.waiting.length) })}</h2>
          <p>{room.waiting.map((w) => w.name).join(' · ')}</p>
        </section>
      )}
    </main>
  );
}
