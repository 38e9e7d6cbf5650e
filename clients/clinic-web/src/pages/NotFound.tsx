import { Link } from 'react-router-dom';
import { PageTitle } from '@clinicult/web-ui';

export default function NotFound() {
  return (
    <section>
      <PageTitle>Page not found</PageTitle>
      <p>There is nothing at this address.</p>
      <Link to="/">Go to the start page</Link>
    </section>
  );
}
