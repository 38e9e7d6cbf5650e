import { Suspense, useEffect } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { SCREENS } from '../screens';
import { AppPreferencesDocument, LogoutDocument, MeDocument, SetMyLanguageDocument } from '../graphql';
import { LANGUAGES, usePreferences, useTranslation } from '../i18n';
import { endSession, useCan, useSession } from '../session';
import type { Permission } from '../permissions';
import { IdleLock } from './IdleLock';
import { Loading } from '@clinicult/web-ui';

/** The person's language: their own choice, or back to the clinic's default (users' updateUser). */
function LanguageChoice() {
  const { t } = useTranslation();
  const { chosen, clinicDefault, userId } = usePreferences();
  const [setLanguage, { loading }] = useMutation(SetMyLanguageDocument, { refetchQueries: [AppPreferencesDocument] });
  if (!userId) return null;
  return (
    <label className="language">
      <span className="sr-only">{t('account.language')}</span>
      <select
        aria-label={t('account.language')}
        value={chosen ?? ''}
        disabled={loading}
        onChange={(e) => void setLanguage({ variables: { id: userId, locale: e.target.value || null } })}
      >
        <option value="">{t('account.clinicDefault', { language: LANGUAGES[clinicDefault] })}</option>
        {Object.entries(LANGUAGES).map(([code, name]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** "Another clinic invites you": a notice on every screen until the person answers. */
function InvitationsNotice() {
  const location = useLocation();
  const { data } = useQuery(MeDocument, { fetchPolicy: 'cache-first' });
  const count = data?.me?.invitations.length ?? 0;
  if (count === 0 || location.pathname === '/invitations') return null;
  const [first] = data!.me!.invitations;
  return (
    <div className="notice notice-info banner" role="status">
      {count === 1 ? `${first!.clinic.name} invites you to join.` : `${count} clinics invite you to join.`} <Link to="/invitations">Review the invitation{count === 1 ? '' : 's'}</Link>
    </div>
  );
}

/**
 * Keyboard shortcuts for the main actions (Alt+Shift + a letter, so no single key is taken from
 * screen readers or typing): F find a patient, Q the queue, N register a patient.
 */
export const SHORTCUTS: Array<{ key: string; label: string; path: string; permission: Permission }> = [
  { key: 'F', label: 'Find a patient', path: '/patients', permission: 'patient:read' },
  { key: 'Q', label: 'Queue', path: '/', permission: 'visit:read' },
  { key: 'N', label: 'Register a patient', path: '/patients/new', permission: 'patient:write' },
];

function useShortcuts(allowed: ReturnType<typeof useCan>, navigate: ReturnType<typeof useNavigate>) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return;
      const shortcut = SHORTCUTS.find((s) => event.code === `Key${s.key}` && allowed(s.permission));
      if (!shortcut) return;
      event.preventDefault();
      // the search box takes the focus once its page has rendered (Patients reads this state)
      navigate(shortcut.path, shortcut.path === '/patients' ? { state: { focus: 'search' } } : undefined);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [allowed, navigate]);
}

export function Layout() {
  const { t } = useTranslation();
  const session = useSession();
  const allowed = useCan();
  const navigate = useNavigate();
  useShortcuts(allowed, navigate);
  const [logout, { loading }] = useMutation(LogoutDocument);

  async function signOut() {
    try {
      await logout();
    } catch {
      // the token is dropped here either way
    }
    endSession('SIGNED_OUT');
    navigate('/signin', { replace: true });
  }

  return (
    <IdleLock>
    <div className="app">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            +
          </span>
          Clinicult
          {session?.clinicName && <span className="clinic-name">{session.clinicName}</span>}
        </div>
        <nav aria-label={t('nav.main')}>
          <ul>
            {SCREENS.filter((s) => allowed(s.permission)).map((s) => (
              <li key={s.path}>
                <NavLink to={s.path} end={s.path === '/'} aria-keyshortcuts={SHORTCUTS.find((k) => k.path === s.path) ? `Alt+Shift+${SHORTCUTS.find((k) => k.path === s.path)!.key}` : undefined}>
                  {t(`nav.${s.label}`)}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <span className="who" data-testid="who">
            {session?.displayName}
            <span className="roles">{session?.roles.map((r) => t(`roles.${r}`, { defaultValue: r })).join(', ')}</span>
          </span>
          <LanguageChoice />
          {session && session.clinicCount > 1 && <NavLink to="/account/clinic">{t('account.switchClinic')}</NavLink>}
          <NavLink to="/account/password">{t('account.changePassword')}</NavLink>
          <NavLink to="/account/security">{t('account.security')}</NavLink>
          <button type="button" className="link-button" onClick={signOut} disabled={loading}>
            {t('account.signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {/* a new session (another clinic) asks again */}
        <InvitationsNotice key={session?.token} />
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
    </IdleLock>
  );
}
