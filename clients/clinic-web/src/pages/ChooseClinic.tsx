import { useApolloClient, useQuery } from '@apollo/client';
import { useNavigate } from 'react-router-dom';
import { chooseClinic } from '../auth';
import { ClinicChoice } from '../components/ClinicChoice';
import { ErrorBox, Loading, PageTitle, plainMessage } from '@clinicult/web-ui';
import { MeDocument } from '../graphql';
import { useTranslation } from '../i18n';
import { useSession } from '../session';

export default function ChooseClinic() {
  const { t } = useTranslation();
  const session = useSession();
  const client = useApolloClient();
  const navigate = useNavigate();
  const { data, loading, error } = useQuery(MeDocument);
  return (
    <section>
      <PageTitle>{t('access.chooseClinic.title')}</PageTitle>
      {loading && !data && <Loading what={t('access.common.loading')} />}
      <ErrorBox>{error && plainMessage(error)}</ErrorBox>
      {data?.me && (
        <ClinicChoice
          memberships={data.me.memberships}
          current={session?.clinicId}
          onChoose={async (clinicId) => {
            await chooseClinic(client, session!.token, clinicId);
            navigate('/', { replace: true });
          }}
        />
      )}
    </section>
  );
}
