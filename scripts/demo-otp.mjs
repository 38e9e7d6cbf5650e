#!/usr/bin/env node
// `npm run demo:otp`: the current sign-in code of the demo operator's authenticator (the secret the
// seed enrolled, kept in .clinicult/demo-operator.json), and how to add it to an authenticator app.
// Development only: production operators enrol their own authenticator or passkey.
import { fileSecretStore, totpCode, DEMO } from './seed.mjs';

const store = fileSecretStore();
const saved = store.load();
if (!saved?.totpSecret) {
  console.error(`No demo operator authenticator in ${store.file}: run npm start (it seeds the demo) first.`);
  process.exit(1);
}
const now = Date.now();
const left = 30 - Math.floor(now / 1000) % 30;
console.log(`${DEMO.operator.email}: code ${await totpCode(saved.totpSecret, now)} (${left} s left), next ${await totpCode(saved.totpSecret, now + 30_000)}`);
console.log(`authenticator app: secret ${saved.totpSecret} (TOTP, SHA-1, 6 digits, 30 s)`);
if (saved.recoveryCodes?.length) console.log(`recovery codes: ${saved.recoveryCodes.join(' ')}`);
