import { useState } from 'react';
import { plainMessage } from '../errors';
import type { Membership } from '../graphql';
import { ErrorBox } from './ui';

const ROLE_LABELS: Record<string, string> = { ADMIN: 'Administrator', DOCTOR: 'Doctor', NURSE: 'Nurse', OFFICE: 'Front desk' };

/** The clinics a person works in, each a button; roles shown so one knows what each allows. */
export function ClinicChoice({ memberships, onChoose, current }: { memberships: Membership[]; onChoose: (clinicId: string) => Promise<void>; current?: string | null }) {
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function choose(id: string) {
    setPending(id);
    setError(null);
    try {
      await onChoose(id);
    } catch (e) {
      setError(plainMessage(e as Error));
    } finally {
      setPending(null);
    }
  }
  return (
    <>
      <ErrorBox>{error}</ErrorBox>
      <ul className="choice-list">
        {memberships.map((m) => (
          <li key={m.clinic.id}>
            <button type="button" onClick={() => choose(m.clinic.id)} disabled={pending !== null} aria-current={current === m.clinic.id ? 'true' : undefined}>
              <strong>{m.clinic.name}</strong>
              <span className="muted">{m.roles.map((r) => ROLE_LABELS[r] ?? r).join(', ')}</span>
              {pending === m.clinic.id && <span className="muted"> — opening…</span>}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
