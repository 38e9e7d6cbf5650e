#!/usr/bin/env node
// The first operator of a new installation, run where auth runs (same environment as auth):
//
//   npm run operator:create -- --email ops@example.org --first-name Olivia --last-name Operator
//
// Prints the one-time link that sets the operator's password: the only link Clinicult ever prints
// (every other goes by email). Also needs USERS_URL (default http://127.0.0.1:4002) and
// ADMIN_WEB_URL (the operator console, default http://localhost:3001).
import { parseArgs } from 'node:util';
import { createOperatorFromEnvironment } from '../operators.js';

const { values } = parseArgs({
  options: { email: { type: 'string' }, 'first-name': { type: 'string' }, 'last-name': { type: 'string' } },
});
if (!values.email || !values['first-name'] || !values['last-name']) {
  console.error('usage: npm run operator:create -- --email <address> --first-name <name> --last-name <name>');
  process.exit(2);
}
try {
  const created = await createOperatorFromEnvironment(process.env, {
    email: values.email,
    firstName: values['first-name'],
    lastName: values['last-name'],
  });
  if (created.link) {
    console.log(`Operator ${values.email} (user ${created.userId}).`);
    console.log(`Open this link once, before ${created.expiresAt!.toUTCString()}, to choose the password:\n\n  ${created.link}\n`);
    console.log('A second factor (authenticator app or passkey) is set up at the first sign-in.');
  } else {
    console.log(`Operator ${values.email} (user ${created.userId}) already has a password; nothing to do.`);
  }
} catch (error) {
  console.error(`create-operator: ${(error as Error).message}`);
  process.exitCode = 1;
}
