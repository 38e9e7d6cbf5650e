import { Trans } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { PageTitle } from '@clinicult/web-ui';
import { useTranslation } from '../i18n';

export default function NotAllowed() {
  const { t } = useTranslation();
  const from = (useLocation().state as { from?: string } | null)?.from;
  return (
    <section>
      <PageTitle>{t('access.notAllowed.title')}</PageTitle>
      <p>
        {from ? (
          <Trans t={t} i18nKey="access.notAllowed.bodyAt" values={{ from }} components={{ code: <code /> }} />
        ) : (
          t('access.notAllowed.body')
        )}
      </p>
      <Link to="/">{t('access.common.startPage')}</Link>
    </section>
  );
}
