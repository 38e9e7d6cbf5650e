import { badInput } from '@clinicult/kit';

/**
 * visits(filter: { text }): a full-text search over one FULLTEXT index on HistoricVisit.searchText
 * (InnoDB, MySQL 8 and MariaDB 10.11), never a LIKE scan.
 *
 * - `searchTextOf` is what a visit stores there: its reason, cancel reason, notes and diagnoses'
 *   codes and descriptions, one part per line (archiveVisit and the seed generator write it; the
 *   migration that added the column backfilled the same words with SQL).
 * - `textSearchQuery` turns the user's text into a boolean-mode query: the text is split into words
 *   (runs of letters, digits and `_`, as InnoDB's parser splits them), so punctuation and the
 *   boolean operators (`+ - " * ( ) ~ < > @` …) are only separators; every word becomes a required
 *   prefix term, `+word*` ("faring aguda" finds "Faringitis aguda"). Matching ignores case and
 *   accents (the column's utf8mb4_unicode_ci collation).
 * - InnoDB indexes no word shorter than `innodb_ft_min_token_size` (3) and none of its stopwords
 *   (the English default list), so such words could never match: they are dropped from the query.
 *   A text with no other word is refused (BAD_USER_INPUT naming `filter.text`).
 */

/** InnoDB's `innodb_ft_min_token_size` (the server default, 3, on MySQL 8 and MariaDB). */
export const MIN_WORD = 3;
/** At most this many characters of text, and this many words, in a search. */
export const MAX_TEXT = 100;
export const MAX_WORDS = 10;

/** INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD (the same list in MySQL 8 and MariaDB 10.11), 3+ letters. */
const STOPWORDS = new Set(['about', 'are', 'com', 'for', 'from', 'how', 'that', 'the', 'this', 'was', 'what', 'when', 'where', 'who', 'will', 'with', 'und', 'www']);

/** The words InnoDB's full-text parser would see (letters, digits, `_`), lower case. */
export function wordsOf(text: string): string[] {
  return (text.normalize('NFC').toLowerCase().match(/[\p{L}\p{M}\p{N}_]+/gu) ?? []);
}

/**
 * The boolean-mode query for a user's text: `+word1* +word2*`, deduplicated, at most MAX_WORDS
 * words. Throws BAD_USER_INPUT (fields: filter.text) for a text that is too long or has no word
 * that the index holds.
 */
export function textSearchQuery(raw: string): string {
  const text = raw.trim();
  if (text.length > MAX_TEXT) {
    throw badInput(`filter.text: at most ${MAX_TEXT} characters.`, ['filter.text']);
  }
  const words = [...new Set(wordsOf(text).filter((w) => [...w].length >= MIN_WORD && !STOPWORDS.has(w)))];
  if (words.length === 0) {
    throw badInput(
      `filter.text: give at least one word of ${MIN_WORD} or more letters or digits; shorter words (and common English words such as "the") are not indexed and are ignored. Each word matches the words that start with it, e.g. "faring aguda".`,
      ['filter.text'],
    );
  }
  if (words.length > MAX_WORDS) {
    throw badInput(`filter.text: at most ${MAX_WORDS} words of ${MIN_WORD} or more letters.`, ['filter.text']);
  }
  return words.map((w) => `+${w}*`).join(' ');
}

export interface SearchableVisit {
  reason: string;
  cancelReason?: string | null;
  notes?: string | null;
  diagnoses?: ReadonlyArray<{ code?: string | null; description?: string | null }> | null;
}

/** What HistoricVisit.searchText holds for a visit: its searchable parts, one per line. */
export function searchTextOf(visit: SearchableVisit): string {
  const parts: string[] = [visit.reason];
  if (visit.cancelReason) parts.push(visit.cancelReason);
  if (visit.notes) parts.push(visit.notes);
  for (const d of visit.diagnoses ?? []) {
    const line = [d.code, d.description].filter((x): x is string => typeof x === 'string' && x.trim() !== '').join(' ');
    if (line) parts.push(line);
  }
  const text = parts.join('\n');
  // MEDIUMTEXT holds 16 MiB: 4M characters fit even at 4 bytes each (notes are LONGTEXT)
  return text.length > MAX_SEARCH_TEXT ? text.slice(0, MAX_SEARCH_TEXT) : text;
}

const MAX_SEARCH_TEXT = 4_000_000;
