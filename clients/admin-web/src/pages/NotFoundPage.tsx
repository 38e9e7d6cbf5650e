import { Link } from 'react-router-dom';
import { PageTitle } from '@clinicult/web-ui';

export function NotFoundPage() {
  return (
    <section>
      <PageTitle title="Not found">Page not found</PageTitle>
      <p>
        There is nothing at this address. Go to the <Link to="/clinics">clinic registry</Link>.
      </p>
    </section>
  );
}
