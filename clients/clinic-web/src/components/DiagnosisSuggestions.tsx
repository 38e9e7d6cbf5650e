import { useEffect, useState } from 'react';
import { useQuery } from '@apollo/client';
import { formatNumber } from '@clinicult/web-ui';
import { DiagnosisSuggestionsDocument, type DiagnosisSuggestionsQuery } from '../graphql';
import { useTranslation } from '../i18n';

export type DiagnosisSuggestion = DiagnosisSuggestionsQuery['diagnosisSuggestions'][number];

/** The clinic's codes that start with what the doctor typed (asked 250 ms after the last key). */
export function useDiagnosisSuggestions(typed: string): DiagnosisSuggestion[] {
  const [prefix, setPrefix] = useState(typed.trim());
  useEffect(() => {
    const timer = setTimeout(() => setPrefix(typed.trim()), 250);
    return () => clearTimeout(timer);
  }, [typed]);
  // a failure only means no suggestions: the doctor types the code as before
  const { data } = useQuery(DiagnosisSuggestionsDocument, { variables: { prefix }, errorPolicy: 'all', fetchPolicy: 'cache-first' });
  return data?.diagnosisSuggestions ?? [];
}

/** The options of a code input's `list`: the code, with its description and how often it was given. */
export function DiagnosisOptions({ id, suggestions }: { id: string; suggestions: readonly DiagnosisSuggestion[] }) {
  const { t } = useTranslation();
  return (
    <datalist id={id}>
      {suggestions.map((s) => (
        <option key={s.code} value={s.code} label={t('reports.suggestion', { description: s.description ?? '', uses: formatNumber(s.uses) }).trim()} />
      ))}
    </datalist>
  );
}
