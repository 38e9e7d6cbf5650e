import { allergyMatches, matchingAllergy } from './allergy-match.js';

test('a word of the drug beginning a word of the substance, or the other way, without case or accents', () => {
  expect(matchingAllergy('Penicillin V 500 mg', ['Penicillin'])).toBe('Penicillin');
  expect(matchingAllergy('ibuprofeno 400', ['Ibuprofen'])).toBe('Ibuprofen');
  expect(matchingAllergy('Ácido acetilsalicílico', ['acido acetilsalicilico (aspirina)'])).toBe('acido acetilsalicilico (aspirina)');
  expect(matchingAllergy('Amoxicillin 500 mg', ['Penicillin', 'Latex'])).toBeNull();
  // short words and doses never match by themselves
  expect(matchingAllergy('Vit D 1000', ['D', '1000'])).toBeNull();
  expect(matchingAllergy('Paracetamol', [])).toBeNull();
});

test('each matching prescription with its index and the substance it matches', () => {
  expect(allergyMatches([{ drug: 'Paracetamol 1 g' }, { drug: 'Naproxen 500 mg' }, { drug: 'naproxeno' }], ['Naproxen', 'Peanuts'])).toEqual([
    { index: 1, drug: 'Naproxen 500 mg', substance: 'Naproxen' },
    { index: 2, drug: 'naproxeno', substance: 'Naproxen' },
  ]);
});
