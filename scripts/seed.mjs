#!/usr/bin/env node
// The demo data, created through the real API (the gateway) so the same rules apply as for a
// person: an operator, "Demo Clinic", and one staff member per role. Idempotent: what exists is
// left as it is. Never runs when NODE_ENV=production.
//
//   node scripts/seed.mjs           (npm run db:seed; auth, users, admin, the gateway and the mail catcher must be up)
//   GATEWAY_URL=http://host:4000 MAIL_CATCHER_URL=http://host:1080 DEMO_PASSWORD=… node scripts/seed.mjs
//
// Everything goes the way a person would do it: invitations arrive by mail (the seed reads them
// from the mail catcher `npm start` runs, as a person would open them), and each invited person
// sets a password, accepts the invitation and picks the clinic. The one step that is not an API
// call is the first operator: no caller may create an operator (DESIGN.md), so the seed runs auth's
// own create-operator command (`npm run operator:create`, docs/operations.md) and follows the link
// it prints. Operators must sign in with a second factor: the seed enrols an authenticator for the
// demo operator and keeps its secret in .clinicult/demo-operator.json (`npm run demo:otp` prints
// the current code).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    /** a sign-in waiting for its second factor (SECOND_FACTOR_REQUIRED / _ENROLMENT_REQUIRED) */
    this.ticket = extensions.ticket;
    this.extensions = extensions;
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
 * Where the demo operator's authenticator lives between seeds: a file beside the repo (never
 * committed), or any { load, save } the caller passes (the e2e platform keeps it in memory).
 */
export function fileSecretStore(file = process.env.DEMO_OPERATOR_FILE || path.join(root, '.clinicult', 'demo-operator.json')) {
  return {
    file,
    load() {
      try {
        return JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        return null;
      }
    },
    save(value) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    },
  };
}

/** The current TOTP code for a base32 secret (what an authenticator app shows). */
export async function totpCode(secret, at = Date.now()) {
  const { TOTP, Secret } = await import('otpauth');
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: at });
}

/**
 * The newest mail to `to` received after `since`, from the mail catcher's JSON API, waiting up to
 * SEED_MAIL_WAIT_MS (default 20 s): auth sends from its outbox a moment after the change commits.
 */
export async function waitForMail(mailUrl, to, since, env = process.env) {
  const deadline = Date.now() + Number(env.SEED_MAIL_WAIT_MS ?? 20_000);
  for (;;) {
    const url = new URL('/api/messages', mailUrl);
    url.searchParams.set('to', to);
    let messages = [];
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (response.ok) messages = await response.json();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the mail catcher at ${mailUrl} does not answer (${error.cause?.code ?? error.message})`);
    }
    const fresh = messages.find((m) => new Date(m.receivedAt).getTime() >= since.getTime() - 1000);
    if (fresh) return fresh;
    if (Date.now() > deadline) throw new Error(`no mail to ${to} arrived at the mail catcher (${mailUrl}); is auth's SMTP_URL pointing at it?`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const tokenOfLink = (link) => new URL(link).searchParams.get('token');

const LOGIN = `mutation Login($email: String!, $password: String!, $clinicId: ID) {
  login(email: $email, password: $password, clinicId: $clinicId) { token clinicId roles apiUrl user { id } }
}`;
const ACCEPT = `mutation Accept($token: String!, $password: String!) {
  acceptInvitation(token: $token, password: $password) { token clinicId roles apiUrl user { id } }
}`;
const START_TOTP = `mutation StartTotp($ticket: String) { startTotpEnrolment(ticket: $ticket) { secret } }`;
const CONFIRM_TOTP = `mutation ConfirmTotp($code: String!, $ticket: String) {
  confirmTotpEnrolment(code: $code, ticket: $ticket) { recoveryCodes session { token clinicId roles apiUrl user { id } } }
}`;
const VERIFY = `mutation Verify($ticket: String!, $code: String, $recoveryCode: String) {
  verifySecondFactor(ticket: $ticket, code: $code, recoveryCode: $recoveryCode) { token clinicId roles apiUrl user { id } }
}`;
const MY_INVITATIONS = `query MyInvitations { me { invitations { id clinic { id } } } }`;
const ACCEPT_CLINIC = `mutation Join($id: ID!) { acceptClinicInvitation(id: $id) { roles } }`;
const SWITCH = `mutation Switch($clinicId: ID!) { switchClinic(clinicId: $clinicId) { token clinicId roles apiUrl user { id } } }`;
const RESEND = `mutation Resend($id: ID!) { resendInvitation(id: $id) { id } }`;
const CLINICS = `query Clinics($search: String) {
  clinics(search: $search, first: 50) { edges { node { id name status cluster timeZone } } }
}`;
const CREATE_CLINIC = `mutation CreateClinic($input: CreateClinicInput!) {
  createClinic(input: $input) { id name status cluster timeZone }
}`;
const PROVISION_ADMIN = `mutation Provision($clinicId: ID!, $input: ProvisionAdminInput!) {
  provisionClinicAdmin(clinicId: $clinicId, input: $input) { id }
}`;
const CLINIC_USERS = `query ClinicUsers($after: String) {
  users(first: 100, after: $after) {
    edges { node { id email status } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CREATE_USER = `mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { invitation { id } } }`;

/**
 * What a person does with an invitation mail: open the link and choose the password
 * (acceptInvitation), accept the clinic's invitation in the app, and pick the clinic. Returns the
 * session in that clinic.
 */
async function joinFromMail(endpoint, mail, password, clinicId) {
  const link = mail.links.find((l) => l.includes('/accept-invitation?token='));
  if (!link) throw new Error(`the invitation mail to ${mail.to.join(', ')} has no link to choose a password`);
  const session = (await gql(endpoint, ACCEPT, { token: tokenOfLink(link), password })).acceptInvitation;
  const { me } = await gql(endpoint, MY_INVITATIONS, {}, session.token);
  const invitation = me.invitations.find((i) => i.clinic.id === clinicId);
  if (!invitation) throw new Error(`${mail.to.join(', ')} has no open invitation to clinic ${clinicId}`);
  await gql(endpoint, ACCEPT_CLINIC, { id: invitation.id }, session.token);
  return (await gql(endpoint, SWITCH, { clinicId }, session.token)).switchClinic;
}

/**
 * The operator's session: their second factor follows the password (always, for operators). A
 * first sign-in enrols the authenticator whose secret the store keeps; later ones use its code.
 */
async function finishOperatorSignIn(endpoint, refusal, store) {
  if (refusal.reason === 'SECOND_FACTOR_ENROLMENT_REQUIRED') {
    const { secret } = (await gql(endpoint, START_TOTP, { ticket: refusal.ticket })).startTotpEnrolment;
    const { recoveryCodes, session } = (await gql(endpoint, CONFIRM_TOTP, { code: await totpCode(secret), ticket: refusal.ticket })).confirmTotpEnrolment;
    store.save({ email: DEMO.operator.email, totpSecret: secret, recoveryCodes });
    return { session, enrolled: true };
  }
  if (refusal.reason !== 'SECOND_FACTOR_REQUIRED') throw refusal;
  const saved = store.load();
  if (!saved?.totpSecret) {
    throw new Error(
      `${DEMO.operator.email} has a second factor the seed does not know (${store.file ?? 'no secret store'} is missing). ` +
        'Restore the file, or reset the demo databases (node packages/db/dist/cli.js reset auth users admin).',
    );
  }
  const verify = async (at) => (await gql(endpoint, VERIFY, { ticket: refusal.ticket, code: await totpCode(saved.totpSecret, at) })).verifySecondFactor;
  try {
    return { session: await verify(Date.now()), enrolled: false };
  } catch (error) {
    // this 30-second step's code was used already (a second seed within it): auth also accepts the next step's
    if (error.reason !== 'INVALID_SECOND_FACTOR') throw error;
    return { session: await verify(Date.now() + 30_000), enrolled: false };
  }
}

/** Where a session's clinic is served: its region's API when auth names one (several clusters), else the endpoint signed in at. */
function regionalEndpoint(session, endpoint) {
  return session?.apiUrl ?? endpoint;
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
 * Seeds the demo through the gateway. Returns what it did, one line per account or clinic, and the
 * operator's session. Requires auth, users, admin, the gateway and the mail catcher to be up.
 *
 *   mailUrl          the mail catcher's web address (MAIL_CATCHER_URL, default http://127.0.0.1:1080)
 *   operatorSecrets  where the demo operator's authenticator secret is kept (default DEMO_OPERATOR_FILE or .clinicult/demo-operator.json)
 */
export async function seedDemo({
  gatewayUrl = 'http://127.0.0.1:4000',
  env = process.env,
  log = () => {},
  mailUrl = env.MAIL_CATCHER_URL ?? 'http://127.0.0.1:1080',
  operatorSecrets = fileSecretStore(),
} = {}) {
  if (!seedable(env)) throw new Error('The demo is never seeded when NODE_ENV=production (unset means production: say NODE_ENV=development).');
  const endpoint = new URL('/graphql', gatewayUrl).href;
  const password = demoPassword(env);
  const report = [];
  const note = (line) => {
    report.push(line);
    log(line);
  };
  const ctx = { endpoint, password, mailUrl, env, note };

  // 1. The operator: auth's create-operator command (the documented bootstrap), the link it
  //    prints, a password and the second factor every operator must have; or a sign-in.
  const operator = await operatorSession(ctx, operatorSecrets);

  // 2. The clinic, as the operator; 3. its first ADMIN, invited by mail (the operator never sees the link).
  const { clinic, admin } = await ensureClinicWithAdmin(ctx, operator.token, DEMO.clinic, DEMO.admin);
  if (!admin) return { clinicId: clinic.id, report, operator };

  // A clinic's requests go to the API of its region (AuthPayload.apiUrl) when that is another one.
  const clinicEndpoint = regionalEndpoint(admin, endpoint);

  // 4. The rest of the staff, invited by that ADMIN; each follows the mail.
  const members = new Map();
  let after = null;
  do {
    const { users } = await gql(clinicEndpoint, CLINIC_USERS, { after }, admin.token);
    for (const { node } of users.edges) members.set(node.email.toLowerCase(), node);
    after = users.pageInfo.hasNextPage ? users.pageInfo.endCursor : null;
  } while (after);
  for (const person of DEMO.staff) {
    if (members.has(person.email)) {
      note(`${person.email} (${person.role}): exists`);
      continue;
    }
    const { email, firstName, lastName, role } = person;
    const since = new Date();
    await inviteOrResend({ endpoint: clinicEndpoint }, () => gql(clinicEndpoint, CREATE_USER, { input: { email, firstName, lastName, roles: [role] } }, admin.token), admin.token);
    await joinFromMail(endpoint, await waitForMail(mailUrl, email, since, env), password, clinic.id);
    note(`${email} (${role}): invited by mail and joined`);
  }

  // 5. ~50 patients, some in each visit state, through the API as the staff who would do it.
  if (await patientsAnswer(clinicEndpoint, admin.token, note)) {
    const { seedDemoPatients } = await importBuilt('subgraphs/patients/dist/seed.js', 'the patients service');
    const [office, nurse, doctor] = await Promise.all(
      ['office', 'nurse', 'doctor'].map((role) => tryLogin(endpoint, DEMO.staff.find((p) => p.role === role.toUpperCase()).email, password, clinic.id)),
    );
    if (office && nurse && doctor) {
      await seedDemoPatients({ url: clinicEndpoint, tokens: { office: office.token, nurse: nurse.token, doctor: doctor.token }, log: note });
    } else {
      note('patients: skipped (the demo OFFICE, NURSE and DOCTOR must be able to sign in)');
    }
  }

  // 6. Templates: the defaults arrive through clinic.created (clinic's cluster consumer); the demo
  //    ADMIN adds a few more of each kind.
  await seedDemoTemplates(clinicEndpoint, admin.token, env, note);

  // 7. A second clinic in another cluster, with its own ADMIN.
  const { clinic: second, admin: secondAdmin } = await ensureClinicWithAdmin(
    ctx,
    operator.token,
    DEMO.secondClinic.clinic,
    DEMO.secondClinic.admin,
    { optional: true },
  );
  if (second && secondAdmin) await waitForDefaultTemplates(regionalEndpoint(secondAdmin, endpoint), secondAdmin.token, second.name, env, note);
  return { clinicId: clinic.id, report, operator };
}

async function operatorSession({ endpoint, password, env, note }, store) {
  const { createOperatorFromEnvironment } = await importBuilt('subgraphs/auth/dist/operators.js', 'the auth service');
  const created = await createOperatorFromEnvironment(env, DEMO.operator);
  let refusal;
  try {
    // a new operator follows the printed link; an existing one signs in
    const session = created.link
      ? (await gql(endpoint, ACCEPT, { token: tokenOfLink(created.link), password })).acceptInvitation
      : (await gql(endpoint, LOGIN, { email: DEMO.operator.email, password })).login;
    return session;
  } catch (error) {
    if (error.code === 'UNAUTHENTICATED' && error.reason === 'INVALID_CREDENTIALS') {
      throw new Error(
        `${DEMO.operator.email} exists but does not sign in with the demo password. ` +
          'Set DEMO_PASSWORD to its password, or reset the demo databases (node packages/db/dist/cli.js reset auth users admin).',
      );
    }
    if (!error.ticket) throw error;
    refusal = error;
  }
  const { session, enrolled } = await finishOperatorSignIn(endpoint, refusal, store);
  note(
    `operator ${DEMO.operator.email}: ${created.link ? 'created with create-operator, password set' : 'exists'}` +
      (enrolled ? `, authenticator enrolled (secret in ${store.file ?? 'memory'}; npm run demo:otp prints the code)` : ''),
  );
  return session;
}

/**
 * Runs an invitation; when one is already open (a seed that stopped half-way), sends it again so
 * a fresh mail with a fresh link arrives.
 */
async function inviteOrResend({ endpoint }, invite, managerToken) {
  try {
    await invite();
  } catch (error) {
    if (error.code !== 'CONFLICT' || error.reason !== 'ALREADY_INVITED') throw error;
    await gql(endpoint, RESEND, { id: error.extensions.invitationId }, managerToken);
  }
}

/**
 * A clinic (found by name, else created) and its first ADMIN (signs in, else invited by the
 * operator, followed from the mail). `optional`: a clinic the deployment cannot place (its cluster
 * is not in admin's CLUSTERS) is noted and skipped. Returns `admin: null` when the clinic is not ACTIVE.
 */
async function ensureClinicWithAdmin(ctx, operatorToken, clinicInput, adminInput, { optional = false } = {}) {
  const { endpoint, password, mailUrl, env, note } = ctx;
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
    const since = new Date();
    await inviteOrResend(ctx, () => gql(endpoint, PROVISION_ADMIN, { clinicId: clinic.id, input: { email, firstName, lastName } }, operatorToken), operatorToken);
    await joinFromMail(endpoint, await waitForMail(mailUrl, email, since, env), password, clinic.id);
    // a real login: the session for this clinic, and it clears any failed attempts counted earlier
    admin = await tryLogin(endpoint, email, password, clinic.id);
    if (!admin) throw new Error(`${email} accepted the invitation but cannot sign in to "${clinic.name}".`);
    note(`${email} (ADMIN): invited by mail and joined`);
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

/** The demo (known passwords) goes only where NODE_ENV says development or test: unset means production. */
export function seedable(env) {
  return env.NODE_ENV === 'development' || env.NODE_ENV === 'test';
}

async function main() {
  if (!seedable(process.env)) {
    console.error(
      `seed: refused because NODE_ENV=${process.env.NODE_ENV ?? '(unset, which means production)'} (the demo is for development only: npm run db:seed says development).`,
    );
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
