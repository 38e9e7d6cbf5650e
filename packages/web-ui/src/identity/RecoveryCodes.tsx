import { useState } from 'react';

/** Recovery codes, shown once: the person keeps them before going on. */
export function RecoveryCodes({ codes, onDone, doneLabel = 'I have saved them' }: { codes: string[]; onDone: () => void; doneLabel?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <section className="mfa-recovery" aria-labelledby="mfa-recovery-title">
      <h2 id="mfa-recovery-title">Your recovery codes</h2>
      <p>
        If you lose your authenticator or passkey, each of these codes signs you in once. Keep them somewhere safe — they are shown
        only now.
      </p>
      <ol className="mfa-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="mfa-actions">
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(codes.join('\n')).then(() => setCopied(true), () => setCopied(false));
          }}
        >
          {copied ? 'Copied' : 'Copy the codes'}
        </button>
        <button type="button" className="primary" onClick={onDone}>
          {doneLabel}
        </button>
      </div>
    </section>
  );
}
