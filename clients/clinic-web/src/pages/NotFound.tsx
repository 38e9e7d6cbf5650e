import { Link } from 'react-router-dom';
import { PageTitle } from '@clinicult/web-ui';
import { useTranslation } from '../i18n';

export default function NotFound() {
  const { t } = useTranslation();
  return (
    <section>
      <PageTitle>{t('access.notFound.title')}</PageTitle>
      <p>{t('access.notFound.body')}</p>
      <Link to="/">{t('access.common.startPage')}</Link>
    </section>
  );
}
