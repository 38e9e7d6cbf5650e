/** A clinic's status in the registry. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{status === 'ACTIVE' ? 'Active' : status === 'SUSPENDED' ? 'Suspended' : status}</span>;
}
