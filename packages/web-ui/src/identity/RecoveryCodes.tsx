import { useState } from 'react';
import { useUiText } from '../i18n';

/** Recovery codes, shown once: the person keeps them before going on. */
export function RecoveryCodes({ codes, onDone, doneLabel }: { codes: string[]; onDone: () => void; doneLabel?: string }) {
  const text = useUiText().recoveryCodes;
  const [copied, setCopied] = useState(false);
  return (
    <section className="mfa-recovery" aria-labelledby="mfa-recovery-title">
      <h2 id="mfa-recovery-title">{text.title}</h2>
      <p>{text.intro}</p>
      <ol className="mfa-codes" aria-label={text.listLabel}>
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
          {copied ? text.copied : text.copy}
        </button>
        <button type="button" className="primary" onClick={onDone}>
          {doneLabel ?? text.done}
        </button>
      </div>
    </section>
  );
}
