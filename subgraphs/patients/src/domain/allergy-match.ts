/**
 * Whether a prescribed drug matches a recorded allergy substance (issue 17, "safety in front of the
 * clinician"). Words are compared without case or accents, and one word beginning the other counts
 * (at least 4 letters): "Penicillin V 500 mg" matches an allergy to "penicillin", "ibuprofeno" one
 * to "Ibuprofen". It knows no drug classes: "Amoxicillin" does not match "Penicillin", nor
 * "Ibuprofen" an allergy to "NSAIDs" — it is a reminder in front of the doctor, not a drug database.
 */
const MIN_WORD = 4;

function words(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= MIN_WORD && !/^\d+$/.test(w));
}

const overlaps = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);

/** The recorded substance a drug matches, or null. */
export function matchingAllergy(drug: string, substances: readonly string[]): string | null {
  const drugWords = words(drug);
  for (const substance of substances) {
    if (words(substance).some((s) => drugWords.some((d) => overlaps(d, s)))) return substance;
  }
  return null;
}

export interface AllergyMatch {
  /** the prescription's index in the input */
  index: number;
  drug: string;
  substance: string;
}

/** Each prescription that matches a recorded allergy, with the substance it matches. */
export function allergyMatches(prescriptions: ReadonlyArray<{ drug: string }>, substances: readonly string[]): AllergyMatch[] {
  return prescriptions.flatMap((p, index) => {
    const substance = matchingAllergy(p.drug, substances);
    return substance ? [{ index, drug: p.drug, substance }] : [];
  });
}
