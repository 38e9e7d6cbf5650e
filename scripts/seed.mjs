#!/usr/bin/env node
// The demo data, created through the real API (the gateway) so the same rules apply as for a
// person: an operator, "Demo Clinic", and one staff member per role. Idempotent: what exists is
// left as it is. Never runs when NODE_ENV=production.
//
//   node scripts/seed.mjs           (npm run db:seed; auth, users, admin and the gateway must be up)
//   GATEWAY_URL=http://host:4000 DEMO_PASSWORD=… node scripts/seed.mjs
//
// The one step that cannot go through the API is the first operator: no caller may create an
// operator (DESIGN.md, security model), so `bootstrapOperator` writes the login to auth's
// database and the profile to users' database directly. It is the platform's bootstrap, the same
// step a production install does once by hand (docs/operations.md, "The first operator").
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { databaseUrlFor } from './lib/infra.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULT_DEMO_PASSWORD = 'Clinicult-demo-1';

export function demoPassword(env = process.env) {
  return env.DEMO_PASSWORD && env.DEMO_PASSWORD !== '' ? env.DEMO_PASSWORD : DEFAULT_DEMO_PASSWORD;
}

export const DEMO = {
  operator: { email: 'operator@clinicult.test', firstName: 'Olivia', lastName: 'Operator' },
  clinic: { name: 'Demo Clinic', cluster: 'eu-1', timeZone: 'Europe/Madrid' },
  admin: { email: 'admin@demo.clinicult.test', firstName: 'Alicia', lastName: 'Romero', role: 'ADMIN' },
  staff: [
    { email: 'doctor@demo.clinicult.test', firstName: 'Daniel', lastName: 'Ortega', role: 'DOCTOR' },
    { email: 'nurse@demo.clinicult.test', firstName: 'Nuria', lastName: 'Vidal', role: 'NURSE' },
    { email: 'office@demo.clinicult.test', firstName: 'Oscar', lastName: 'Molina', role: 'OFFICE' },
  ],
  /** A second clinic in another cluster, with its own ADMIN (issue 5). */
  secondClinic: {
    clinic: { name: 'Demo Clinic Boston', cluster: 'us-1', timeZone: 'America/New_York' },
    admin: { email: 'admin@boston.clinicult.test', firstName: 'Brooke', lastName: 'Hayes', role: 'ADMIN' },
  },
  /**
   * Templates the demo ADMIN adds to Demo Clinic's defaults (which arrive through clinic.created):
   * a few of each kind, every field type among them.
   */
  templates: [
    {
      name: 'Respiratory symptoms intake',
      kind: 'INTAKE',
      fields: [
        { key: 'cough', label: 'Cough', type: 'CHOICE', required: true, options: ['None', 'Dry', 'Productive'] },
        { key: 'feverDays', label: 'Days with fever', type: 'NUMBER', unit: 'days', min: 0, max: 60 },
        { key: 'shortOfBreath', label: 'Short of breath', type: 'BOOLEAN', required: true },
        { key: 'symptoms', label: 'Other symptoms', type: 'MULTI_CHOICE', options: ['Sore throat', 'Runny nose', 'Headache', 'Muscle pain', 'Loss of smell'] },
        { key: 'since', label: 'Symptoms since', type: 'DATE' },
      ],
    },
    {
      name: 'Prenatal check intake',
      kind: 'INTAKE',
      fields: [
        { key: 'gestationWeeks', label: 'Gestational age', type: 'NUMBER', required: true, unit: 'weeks', min: 1, max: 45 },
        { key: 'lastPeriod', label: 'Last menstrual period', type: 'DATE' },
        { key: 'nausea', label: 'Nausea', type: 'BOOLEAN' },
        { key: 'concerns', label: 'Concerns', type: 'TEXT', help: 'Anything the mother wants to discuss.' },
      ],
    },
    {
      name: 'Dermatology note',
      kind: 'NOTE',
      fields: [
        { key: 'lesionType', label: 'Lesion type', type: 'CHOICE', required: true, options: ['Macule', 'Papule', 'Plaque', 'Vesicle', 'Nodule'] },
        { key: 'locations', label: 'Locations', type: 'MULTI_CHOICE', options: ['Face', 'Scalp', 'Trunk', 'Arms', 'Legs', 'Hands', 'Feet'] },
        { key: 'sizeMm', label: 'Largest lesion', type: 'NUMBER', unit: 'mm', min: 0, max: 500 },
        { key: 'biopsy', label: 'Biopsy taken', type: 'BOOLEAN', required: true },
        { key: 'assessment', label: 'Assessment', type: 'TEXT', required: true },
      ],
    },
    {
      name: 'Chronic care review note',
      kind: 'NOTE',
      fields: [
        { key: 'condition', label: 'Condition reviewed', type: 'CHOICE', required: true, options: ['Hypertension', 'Type 2 diabetes', 'COPD', 'Asthma', 'Heart failure'] },
        { key: 'controlled', label: 'Well controlled', type: 'BOOLEAN', required: true },
        { key: 'hba1c', label: 'Last HbA1c', type: 'NUMBER', unit: '%', min: 3, max: 20 },
        { key: 'nextReview', label: 'Next review', type: 'DATE' },
        { key: 'plan', label: 'Plan', type: 'TEXT' },
      ],
    },
  ],
};

/** The demo logins, for `npm start`'s banner and the docs. */
export function demoLogins() {
  return [
    { email: DEMO.operator.email, what: 'operator (admin console; no clinic)' },
    { email: DEMO.admin.email, what: `ADMIN, ${DEMO.clinic.name}` },
    ...DEMO.staff.map((s) => ({ email: s.email, what: `${s.role}, ${DEMO.clinic.name}` })),
    { email: DEMO.secondClinic.admin.email, what: `ADMIN, ${DEMO.secondClinic.clinic.name} (cluster ${DEMO.secondClinic.clinic.cluster})` },
  ];
}

export class GraphQLRequestError extends Error {
  constructor(message, extensions = {}) {
    super(message);
    this.code = extensions.code;
    this.reason = extensions.reason;
  }
}

/** One GraphQL request with plain fetch; throws the first error with its code. */
export async function gql(endpoint, query, variables = {}, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = await response.json().catch(() => null);
  const first = body?.errors?.[0];
  if (first) throw new GraphQLRequestError(first.message, first.extensions ?? {});
  if (!body?.data) throw new GraphQLRequestError(`${endpoint} answered HTTP ${response.status} without data`);
  return body.data;
}

async function importBuilt(relative, what) {
  try {
    return await import(pathToFileURL(path.join(root, relative)).href);
  } catch (error) {
    if (error.code === 'ERR_MODULE_NOT_FOUND') {
      throw new Error(`${what} is not built (${relative} is missing): run \`npm run build\` first.`);
    }
    throw error;
  }
}

/**
 * Bootstrap: makes sure the operator exists, writing directly to auth's and users' databases
 * (DATABASE_URL_AUTH / DATABASE_URL_USERS, defaults mysql://root@127.0.0.1:3306/clinicult_<service>).
 * Idempotent: an existing login keeps its password; a missing half (profile or login) is added with
 * the same user id. Refused when NODE_ENV=production unless `allowProduction` (a deliberate,
 * one-time bootstrap of a real install: docs/operations.md).
 */
export async function bootstrapOperator({
  email,
  firstName,
  lastName,
  password,
  env = process.env,
  allowProduction = false,
  log = () => {},
}) {
  if (env.NODE_ENV === 'production' && !allowProduction) {
    throw new Error('bootstrapOperator: refused because NODE_ENV=production (see docs/operations.md, "The first operator").');
  }
  const { mysqlQuery, mysqlExecute } = await importBuilt('packages/db/dist/index.js', '@clinicult/db');
  const { hashPassword, passwordWeakness } = await importBuilt('subgraphs/auth/dist/passwords.js', 'the auth service');
  const normalized = email.trim().toLowerCase();
  const weakness = passwordWeakness(password, normalized);
  if (weakness) throw new Error(`The operator's password is too weak: ${weakness}`);

  const usersUrl = databaseUrlFor('users', env);
  const authUrl = databaseUrlFor('auth', env);
  const [profile] = await mysqlQuery(usersUrl, 'SELECT `id`, `status` FROM `User` WHERE `email` = ?', [normalized]);
  const [login] = await mysqlQuery(
    authUrl,
    'SELECT `userId`, `passwordHash`, `isOperator` FROM `Credential` WHERE `email` = ?',
    [normalized],
  );
  if (profile && login && profile.id !== login.userId) {
    throw new Error(
      `${normalized} has user id ${profile.id} in users but ${login.userId} in auth: fix the data by hand before seeding.`,
    );
  }
  const userId = profile?.id ?? login?.userId ?? randomUUID();
  const changes = [];

  // The profile first: a login without a profile would sign in to a `me` that answers null.
  if (!profile) {
    await mysqlExecute(
      usersUrl,
      'INSERT INTO `User` (`id`, `email`, `firstName`, `lastName`, `locale`, `status`, `activatedAt`, `createdAt`, `updatedAt`) ' +
        "VALUES (?, ?, ?, ?, 'en', 'ACTIVE', NOW(3), NOW(3), NOW(3))",
      [userId, normalized, firstName, lastName],
    );
    changes.push('profile (users)');
  }
  if (!login) {
    await mysqlExecute(
      authUrl,
      'INSERT INTO `Credential` (`userId`, `email`, `passwordHash`, `status`, `isOperator`, `tokensValidAfter`, `createdAt`, `updatedAt`) ' +
        "VALUES (?, ?, ?, 'ACTIVE', TRUE, NOW(3), NOW(3), NOW(3))",
      [userId, normalized, await hashPassword(password)],
    );
    changes.push('login (auth)');
  } else {
    if (!login.isOperator) {
      await mysqlExecute(authUrl, 'UPDATE `Credential` SET `isOperator` = TRUE, `updatedAt` = NOW(3) WHERE `userId` = ?', [userId]);
      changes.push('operator flag (auth)');
    }
    if (!login.passwordHash) {
      await mysqlExecute(authUrl, 'UPDATE `Credential` SET `passwordHash` = ?, `updatedAt` = NOW(3) WHERE `userId` = ?', [
        await hashPassword(password),
        userId,
      ]);
      changes.push('password (auth)');
    }
  }
  log(changes.length ? `operator ${normalized}: bootstrapped ${changes.join(', ')}` : `operator ${normalized}: exists`);
  return { userId, created: changes.length > 0 };
}

const LOGIN = `mutation Login($email: String!, $password: String!, $clinicId: ID) {
  login(email: $email, password: $password, clinicId: $clinicId) { token clinicId roles user { id } }
}`;
const ACCEPT = `mutation Accept($token: String!, $password: String!) {
  acceptInvitation(token: $token, password: $password) { token clinicId roles user { id } }
}`;
const ME = `query Me { me { id status } }`;
const CLINICS = `query Clinics($search: String) {
  clinics(search: $search, first: 50) { edges { node { id name status cluster timeZone } } }
}`;
const CREATE_CLINIC = `mutation CreateClinic($input: CreateClinicInput!) {
  createClinic(input: $input) { id name status cluster timeZone }
}`;
const PROVISION_ADMIN = `mutation Provision($clinicId: ID!, $input: ProvisionAdminInput!) {
  provisionClinicAdmin(clinicId: $clinicId, input: $input) { token expiresAt user { id } }
}`;
const CLINIC_USERS = `query ClinicUsers($after: String) {
  users(first: 100, after: $after) {
    edges { node { id email status } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CREATE_USER = `mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) { user { id status } invitation { token expiresAt } }
}`;

/**
 * What a person does with an invitation link: set the password (acceptInvitation), then open the
 * app, whose first `me` marks the user ACTIVE in users.
 */
async function signInFirstTime(endpoint, invitationToken, password) {
  const session = (await gql(endpoint, ACCEPT, { token: invitationToken, password })).acceptInvitation;
  await gql(endpoint, ME, {}, session.token);
  return session;
}

/** login, or null when the email/password pair is not (yet) valid. Other refusals throw. */
async function tryLogin(endpoint, email, password, clinicId) {
  try {
    return (await gql(endpoint, LOGIN, { email, password, clinicId })).login;
  } catch (error) {
    if (error.code === 'UNAUTHENTICATED' && error.reason === 'INVALID_CREDENTIALS') return null;
    throw error;
  }
}

/**
 * Seeds the demo through the gateway. Returns what it did, one line per account or clinic.
 * Requires auth, users, admin and the gateway to be up.
 */
export async function seedDemo({ gatewayUrl = 'http://127.0.0.1:4000', env = process.env, log = () => {} } = {}) {
  if (env.NODE_ENV === 'production') throw new Error('The demo is never seeded when NODE_ENV=production.');
  const endpoint = new URL('/graphql', gatewayUrl).href;
  const password = demoPassword(env);
  const report = [];
  const note = (line) => {
    report.push(line);
    log(line);
  };

  // 1. The operator (bootstrap: direct database writes), then sign in as them.
  await bootstrapOperator({ ...DEMO.operator, password, env, log: note });
  const operator = await tryLogin(endpoint, DEMO.operator.email, password);
  if (!operator) {
    throw new Error(
      `${DEMO.operator.email} exists but does not sign in with the demo password. ` +
        'Set DEMO_PASSWORD to its password, or reset the demo databases (node packages/db/dist/cli.js reset auth users admin).',
    );
  }

  // 2. The clinic, as the operator; 3. its first ADMIN, invited (the operator never learns the password).
  const { clinic, admin } = await ensureClinicWithAdmin(endpoint, operator.token, DEMO.clinic, DEMO.admin, password, note);
  if (!admin) return { clinicId: clinic.id, report };

  // 4. The rest of the staff, created by that ADMIN.
  const members = new Map();
  let after = null;
  do {
    const { users } = await gql(endpoint, CLINIC_USERS, { after }, admin.token);
    for (const { node } of users.edges) members.set(node.email.toLowerCase(), node);
    after = users.pageInfo.hasNextPage ? users.pageInfo.endCursor : null;
  } while (after);
  for (const person of DEMO.staff) {
    const existing = members.get(person.email);
    if (existing && existing.status !== 'INVITED') {
      note(`${person.email} (${person.role}): exists`);
      continue;
    }
    if (existing) {
      // INVITED until the person is first seen signed in (users' `me`): did they accept?
      if (await tryLogin(endpoint, person.email, password, clinic.id)) note(`${person.email} (${person.role}): exists`);
      else note(`${person.email} (${person.role}): invited earlier but never accepted; the link was not kept — skipped`);
      continue;
    }
    const { email, firstName, lastName, role } = person;
    const { createUser } = await gql(
      endpoint,
      CREATE_USER,
      { input: { email, firstName, lastName, roles: [role] } },
      admin.token,
    );
    if (createUser.invitation) {
      await signInFirstTime(endpoint, createUser.invitation.token, password);
      note(`${email} (${role}): created, invited and accepted`);
    } else {
      note(`${email} (${role}): already had a login; added to ${DEMO.clinic.name}`);
    }
  }

  // 5. ~50 patients, some in each visit state, through the API as the staff who would do it.
  if (await patientsAnswer(endpoint, admin.token, note)) {
    const { seedDemoPatients } = await importBuilt('subgraphs/patients/dist/seed.js', 'the patients service');
    const [office, nurse, doctor] = await Promise.all(
      ['office', 'nurse', 'doctor'].map((role) => tryLogin(endpoint, DEMO.staff.find((p) => p.role === role.toUpperCase()).email, password, clinic.id)),
    );
    if (office && nurse && doctor) {
      await seedDemoPatients({ url: endpoint, tokens: { office: office.token, nurse: nurse.token, doctor: doctor.token }, log: note });
    } else {
      note('patients: skipped (the demo OFFICE, NURSE and DOCTOR must be able to sign in)');
    }
  }

  // 6. Templates: the defaults arrive through clinic.created (clinic's cluster consumer); the demo
  //    ADMIN adds a few more of each kind.
  await seedDemoTemplates(endpoint, admin.token, env, note);

  // 7. A second clinic in another cluster, with its own ADMIN.
  const { clinic: second, admin: secondAdmin } = await ensureClinicWithAdmin(
    endpoint,
    operator.token,
    DEMO.secondClinic.clinic,
    DEMO.secondClinic.admin,
    password,
    note,
    { optional: true },
  );
  if (second && secondAdmin) await waitForDefaultTemplates(endpoint, secondAdmin.token, second.name, env, note);
  return { clinicId: clinic.id, report };
}

/**
 * A clinic (found by name, else created) and its first ADMIN (signs in, else provisioned by the
 * operator and accepted). `optional`: a clinic the deployment cannot place (its cluster is not in
 * admin's CLUSTERS) is noted and skipped. Returns `admin: null` when the clinic is not ACTIVE.
 */
async function ensureClinicWithAdmin(endpoint, operatorToken, clinicInput, adminInput, password, note, { optional = false } = {}) {
  const { clinics } = await gql(endpoint, CLINICS, { search: clinicInput.name }, operatorToken);
  let clinic = clinics.edges.map((e) => e.node).find((n) => n.name.toLowerCase() === clinicInput.name.toLowerCase());
  const existed = Boolean(clinic);
  if (clinic) {
    note(`clinic "${clinic.name}": exists (${clinic.id}${clinic.status === 'ACTIVE' ? '' : `, ${clinic.status}`})`);
  } else {
    try {
      clinic = (await gql(endpoint, CREATE_CLINIC, { input: clinicInput }, operatorToken)).createClinic;
    } catch (error) {
      if (!optional || error.code !== 'BAD_USER_INPUT') throw error;
      note(`clinic "${clinicInput.name}": skipped (${error.message})`);
      return { clinic: null, admin: null };
    }
    note(`clinic "${clinic.name}": created (${clinic.id}, ${clinic.timeZone}, cluster ${clinic.cluster})`);
  }
  if (clinic.status !== 'ACTIVE') {
    note(`clinic "${clinic.name}" is ${clinic.status}: staff cannot sign in until an operator reactivates it`);
    return { clinic, admin: null };
  }
  // A clinic created just now has no ADMIN yet: no login attempt (a failed one counts towards the
  // account's lockout, and the counter lives in Redis across database resets).
  let admin = existed ? await tryLogin(endpoint, adminInput.email, password, clinic.id) : null;
  if (admin) {
    note(`${adminInput.email} (ADMIN): exists`);
  } else {
    const { email, firstName, lastName } = adminInput;
    const invitation = (
      await gql(endpoint, PROVISION_ADMIN, { clinicId: clinic.id, input: { email, firstName, lastName } }, operatorToken)
    ).provisionClinicAdmin;
    await signInFirstTime(endpoint, invitation.token, password);
    // a real login: the session for this clinic, and it clears any failed attempts counted earlier
    admin = await tryLogin(endpoint, email, password, clinic.id);
    if (!admin) throw new Error(`${email} accepted the invitation but cannot sign in to "${clinic.name}".`);
    note(`${email} (ADMIN): invited and accepted`);
  }
  return { clinic, admin };
}

const TEMPLATES = `query Templates { templates { id name kind version active } }`;
const CREATE_TEMPLATE = `mutation CreateTemplate($input: TemplateInput!) { createTemplate(input: $input) { id name kind version } }`;

/**
 * The clinic's templates once its defaults have arrived (clinic.created → the clinic service), or
 * null when the clinic service is not running or they do not arrive within SEED_TEMPLATES_WAIT_MS
 * (default 30 s).
 */
async function waitForDefaultTemplates(endpoint, token, clinicName, env, note) {
  const deadline = Date.now() + Number(env.SEED_TEMPLATES_WAIT_MS ?? 30_000);
  for (;;) {
    try {
      const { templates } = await gql(endpoint, TEMPLATES, {}, token);
      if (templates.length > 0) {
        note(`templates of "${clinicName}": ${templates.length} (defaults from clinic.created)`);
        return templates;
      }
    } catch (error) {
      note(`templates of "${clinicName}": skipped (${error.message})`);
      return null;
    }
    if (Date.now() > deadline) {
      note(`templates of "${clinicName}": the defaults did not arrive (is the clinic service consuming its cluster?)`);
      return null;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Demo Clinic's defaults (waited for), then DEMO.templates created by its ADMIN when missing (by name and kind). */
async function seedDemoTemplates(endpoint, adminToken, env, note) {
  const existing = await waitForDefaultTemplates(endpoint, adminToken, DEMO.clinic.name, env, note);
  if (!existing) return;
  const have = new Set(existing.map((t) => `${t.kind}:${t.name.toLowerCase()}`));
  for (const template of DEMO.templates) {
    if (have.has(`${template.kind}:${template.name.toLowerCase()}`)) {
      note(`template "${template.name}": exists`);
      continue;
    }
    await gql(endpoint, CREATE_TEMPLATE, { input: template }, adminToken);
    note(`template "${template.name}" (${template.kind}): created`);
  }
}

/** The patients service joins the demo once it is built and running. */
async function patientsAnswer(endpoint, token, note) {
  try {
    await gql(endpoint, '{ patients(first: 1) { totalCount } }', {}, token);
    return true;
  } catch (error) {
    note(`patients: skipped (${error.message})`);
    return false;
  }
}

async function main() {
  if (process.env.NODE_ENV === 'production') {
    console.error('seed: refused because NODE_ENV=production (the demo is for development only).');
    process.exit(1);
  }
  const gatewayUrl = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000';
  try {
    const health = await fetch(new URL('/healthz', gatewayUrl), { signal: AbortSignal.timeout(3000) });
    if (!health.ok) throw new Error(`HTTP ${health.status}`);
  } catch (error) {
    console.error(
      `seed: the gateway does not answer at ${gatewayUrl}/healthz (${error.cause?.code ?? error.message}).\n` +
        'Start the services first: `npm start` starts them and seeds the demo itself.',
    );
    process.exit(1);
  }
  try {
    await seedDemo({ gatewayUrl, log: (line) => console.log(`seed: ${line}`) });
    console.log(`seed: done. Demo password: ${demoPassword() === DEFAULT_DEMO_PASSWORD ? DEFAULT_DEMO_PASSWORD : '(DEMO_PASSWORD)'}`);
  } catch (error) {
    const code = error.code ? ` [${error.code}${error.reason ? `/${error.reason}` : ''}]` : '';
    console.error(`seed: failed${code}: ${error.message}`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
