// The repository's rules, plus browser globals for the app (src/).
import globals from 'globals';
import root from '../../eslint.config.js';

export default [
  ...root,
  { files: ['src/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
];
