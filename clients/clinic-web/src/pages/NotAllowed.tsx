import { Link, useLocation } from 'react-router-dom';
import { PageTitle } from '@clinicult/web-ui';

export default function NotAllowed() {
  const from = (useLocation().state as { from?: string } | null)?.from;
  return (
    <section>
      <PageTitle>Not allowed</PageTitle>
      <p>
        Your role does not give access to {from ? <code>{from}</code> : 'this screen'}. If you need it, ask your clinic administrator.
      </p>
      <Link to="/">Go to the start page</Link>
    </section>
  );
}
