import { PageTitle, SecuritySettings } from '@clinicult/web-ui';
import { useTranslation } from '../i18n';

/** One's own second factors (authenticator app, passkeys, recovery codes). */
export default function Security() {
  const { t } = useTranslation();
  return (
    <section className="card">
      <PageTitle>{t('access.security.title')}</PageTitle>
      <SecuritySettings />
    </section>
  );
}
