import { useMutation } from '@apollo/client';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { TimeZoneInput } from '../components/TimeZoneInput';
import { ErrorBox, Field, focusFirstError, formErrors, PageTitle } from '@clinicult/web-ui';
import type { RuntimeConfig } from '../config';
import { CreateClinicDocument } from '../graphql';
import { useSession } from '../session';
import { canonicalTimeZone, validateTimeZone } from '../timezones';

export function validateClinicName(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed.length < 2) return 'Enter the clinic’s name (at least 2 characters).';
  if (trimmed.length > 200) return 'The name is too long: at most 200 characters.';
  return undefined;
}

export function NewClinicPage({ config }: { config: RuntimeConfig }) {
  const { can } = useSession();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [cluster, setCluster] = useState(config.clusters[0] ?? '');
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone ?? '');
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [create, { loading }] = useMutation(CreateClinicDocument);

  if (!can('clinicult:platform:write')) {
    return (
      <section>
        <PageTitle title="New clinic">New clinic</PageTitle>
        <p>Your account may not create clinics.</p>
      </section>
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems = { name: validateClinicName(name), timeZone: validateTimeZone(timeZone) };
    setErrors(problems);
    if (problems.name || problems.timeZone) return focusFirstError();
    try {
      const { data } = await create({
        variables: { input: { name: name.trim(), cluster, timeZone: canonicalTimeZone(timeZone)! } },
        refetchQueries: ['Clinics'],
      });
      navigate(`/clinics/${data!.createClinic.id}`, { state: { created: true } });
    } catch (error) {
      setErrors(formErrors(error, (key) => ['name', 'cluster', 'timeZone'].includes(key)));
      focusFirstError();
    }
  }

  return (
    <section>
      <p className="crumbs">
        <Link to="/clinics">Clinics</Link> ›
      </p>
      <PageTitle title="New clinic">New clinic</PageTitle>
      <form className="card form" onSubmit={submit} noValidate>
        <ErrorBox>{errors._form}</ErrorBox>
        <Field label="Name" error={errors.name}>
          {(props) => <input {...props} name="name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Cluster" error={errors.cluster} help="The region whose services will serve this clinic.">
          {(props) => (
            <select {...props} name="cluster" value={cluster} onChange={(e) => setCluster(e.target.value)}>
              {config.clusters.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Time zone"
          error={errors.timeZone}
          help="The clinic’s local time: its day, queue and reports follow it. Type a city, e.g. Madrid."
        >
          {(props) => <TimeZoneInput {...props} value={timeZone} onChange={setTimeZone} />}
        </Field>
        <div className="actions">
          <button type="submit" className="primary" disabled={loading}>
            {loading ? 'Creating…' : 'Create clinic'}
          </button>
          <Link to="/clinics" className="button secondary">
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}
