import { useMemo } from 'react';
import { timeZoneNames } from '../timezones';

/** A text input with the browser's IANA zones as suggestions (type to filter, e.g. "Madrid"). */
export function TimeZoneInput(
  props: { id: string; value: string; onChange(value: string): void; 'aria-describedby'?: string; 'aria-invalid'?: boolean },
) {
  const names = useMemo(timeZoneNames, []);
  const listId = `${props.id}-zones`;
  return (
    <>
      <input
        id={props.id}
        name="timeZone"
        list={listId}
        autoComplete="off"
        spellCheck={false}
        value={props.value}
        aria-describedby={props['aria-describedby']}
        aria-invalid={props['aria-invalid']}
        placeholder="Europe/Madrid"
        onChange={(e) => props.onChange(e.target.value)}
      />
      <datalist id={listId}>
        {names.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
    </>
  );
}
