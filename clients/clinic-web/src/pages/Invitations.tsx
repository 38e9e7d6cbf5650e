import { useApolloClient, useQuery } from '@apollo/client';
import { useNavigate } from 'react-router-dom';
import { acceptAndOpen } from '../auth';
import { ClinicChoice } from '../components/ClinicChoice';
import { ErrorBox, Loading, PageTitle, plainMessage } from '@clinicult/web-ui';
import { MeDocument } from '../graphql';
import { useTranslation } from '../i18n';
import { useSession } from '../session';

/** Invitations from other clinics, for someone already signed in (the link in "… invites you to join"). */
export default function Invitations() {
  const { t } = useTranslation();
  const session = useSession();
  const client = useApolloClient();
  const navigate = useNavigate();
  const { data, loading, error } = useQuery(MeDocument, { fetchPolicy: 'network-only' });
  const invitations = data?.me?.invitations ?? [];
  return (
    <section>
      <PageTitle>{t('access.invitations.title')}</PageTitle>
      {loading && !data && <Loading what={t('access.common.loading')} />}
      <ErrorBox>{error && plainMessage(error)}</ErrorBox>
      {data?.me && invitations.length === 0 && <p>{t('access.invitations.none')}</p>}
      {data?.me && invitations.length > 0 && (
        <ClinicChoice
          memberships={[]}
          invitations={invitations}
          onChoose={async () => undefined}
          onAccept={async (invitation) => {
            const step = await acceptAndOpen(client, session!.token, invitation);
            if (step.kind === 'signed-in') navigate('/', { replace: true });
          }}
        />
      )}
    </section>
  );
}
