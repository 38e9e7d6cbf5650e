import { PageTitle, SecuritySettings } from '@clinicult/web-ui';

/** One's own second factors (authenticator app, passkeys, recovery codes). */
export default function Security() {
  return (
    <section className="card">
      <PageTitle>Sign-in security</PageTitle>
      <SecuritySettings />
    </section>
  );
}
