import { SecuritySettings } from '@clinicult/web-identity';
import { PageTitle } from '../components/ui';

/** The operator's second factors (required: the last one cannot be removed). */
export function SecurityPage() {
  return (
    <section className="card">
      <PageTitle title="Sign-in security">Sign-in security</PageTitle>
      <SecuritySettings />
    </section>
  );
}
