import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation } from '@apollo/client';
import { ErrorBox, formatNumber, InputField, plainMessage, secondFactorChallenge, type SecondFactorChallenge, SecondFactorStep } from '@clinicult/web-ui';
import { idleLockMinutes } from '../config';
import { LoginDocument, type AuthPayload } from '../graphql';
import { useTranslation } from '../i18n';
import { endSession, updateSession, useSession } from '../session';

const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/**
 * The automatic logoff of a shared screen (issue 17; HIPAA 164.312(a)(2)(iii)): after
 * `idleLockMinutes` without a key, pointer or touch, the app's content is hidden — made invisible
 * and inert, not unmounted, so a half-filled form keeps what was typed — and the person signs in
 * again, as themselves in the same clinic, to go on (a second factor when theirs is due). Anyone
 * else signs the session out.
 */
export function IdleLock({ children }: { children: ReactNode }) {
  const session = useSession();
  const [locked, setLocked] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const content = useRef<HTMLDivElement>(null);
  const minutes = idleLockMinutes();

  // inert: no focus, no clicks, nothing for screen readers behind the lock
  useEffect(() => {
    if (content.current) content.current.inert = locked;
  }, [locked]);

  useEffect(() => {
    if (!session || locked) return;
    const arm = () => {
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setLocked(true), minutes * 60_000);
    };
    arm();
    for (const type of ACTIVITY) window.addEventListener(type, arm, { passive: true });
    return () => {
      clearTimeout(timer.current);
      for (const type of ACTIVITY) window.removeEventListener(type, arm);
    };
  }, [session, locked, minutes]);

  return (
    <>
      <div ref={content} className={locked ? 'idle-hidden' : undefined} aria-hidden={locked || undefined}>
        {children}
      </div>
      {locked && session && <UnlockDialog email={session.email} clinicId={session.clinicId} name={session.displayName} onUnlocked={() => setLocked(false)} />}
    </>
  );
}

function UnlockDialog({ email, clinicId, name, onUnlocked }: { email: string; clinicId: string | null; name: string; onUnlocked: () => void }) {
  const { t } = useTranslation();
  const [login, { loading }] = useMutation(LoginDocument);
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [challenge, setChallenge] = useState<SecondFactorChallenge | null>(null);

  const resume = (payload: AuthPayload) => {
    // the same person in the same clinic goes on with a fresh session; the screen as they left it
    updateSession({ token: payload.token, expiresAt: payload.expiresAt, apiUrl: payload.apiUrl ?? null });
    onUnlocked();
  };

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    try {
      const { data } = await login({ variables: { email, password, clinicId }, context: { token: undefined } });
      resume(data!.login);
    } catch (error) {
      const next = secondFactorChallenge(error);
      if (next) setChallenge(next);
      else setProblem(plainMessage(error as Error));
    } finally {
      setPassword('');
    }
  }

  return (
    <div className="idle-lock" role="dialog" aria-modal="true" aria-labelledby="lock-title">
      <div className="card idle-card">
        <h1 id="lock-title">{t('access.idleLock.title')}</h1>
        <p>
          {t('access.idleLock.body', {
            count: idleLockMinutes(),
            // every digit the setting has (0.1 to 480), in the language's way of writing numbers
            minutes: formatNumber(idleLockMinutes(), { maximumFractionDigits: 20 }),
            name,
          })}
        </p>
        {challenge ? (
          <SecondFactorStep challenge={challenge} onSignedIn={resume} onRestart={() => setChallenge(null)} />
        ) : (
          <form onSubmit={(e) => void onSubmit(e)} noValidate>
            <ErrorBox>{problem}</ErrorBox>
            <InputField label={t('access.idleLock.password')} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus required />
            <div className="form-actions">
              <button type="submit" className="primary" disabled={loading || !password}>
                {t('access.idleLock.unlock')}
              </button>
              <button type="button" className="link-button" onClick={() => endSession('SIGNED_OUT')}>
                {t('access.idleLock.notYou', { name })}
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
