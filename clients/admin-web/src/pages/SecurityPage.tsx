import { PageTitle, SecuritySettings } from '@clinicult/web-ui';

/** The operator's second factors (required: the last one cannot be removed). */
export function SecurityPage() {
  return (
    <section className="card">
      <PageTitle title="Sign-in security">Sign-in security</PageTitle>
      <SecuritySettings />
    </section>
  );
}
