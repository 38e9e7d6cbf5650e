import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { loadAdminConfig, startAdminService } from '@clinicult/admin-service';
import { loadAuthConfig, startAuthService } from '@clinicult/auth-service';
import { loadGatewayConfig, startGateway } from '@clinicult/gateway';
import { loadUsersConfig, startUsersService } from '@clinicult/users-service';
import { loadPatientsConfig, startPatientsService } from '@clinicult/patients-service';
import { loadAuditConfig, startAuditService } from '@clinicult/audit-service';
import { loadVisitsConfig, startVisitsService } from '@clinicult/visits-service';
import { loadClinicConfig, startClinicService } from '@clinicult/clinic-service';
import { clusterStream } from '@clinicult/kit';
import { startMailCatcher, type CaughtMail, type MailCatcher } from '@clinicult/mail-catcher';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createSoftAuthenticator, freePort, gql, type GraphQLResponse } from '@clinicult/testing';
// The demo seed is plain ESM (scripts/seed.mjs): the same code `npm start` runs.
// @ts-expect-error -- untyped .mjs module
import { seedDemo, demoPassword, DEMO } from '../../../scripts/seed.mjs';

export interface Platform {
  gatewayUrl: string;
  urls: { auth: string; users: string; admin: string; patients: string; audit: string; visits: string; clinic: string };
  password: string;
  demo: typeof DEMO;
  clinicId: string;
  /** The running services (their `opsUrl`s; a test may stop one, e.g. auth, to see what happens). */
  services: {
    auth: Awaited<ReturnType<typeof startAuthService>>;
    users: Awaited<ReturnType<typeof startUsersService>>;
    admin: Awaited<ReturnType<typeof startAdminService>>;
    visits: Awaited<ReturnType<typeof startVisitsService>>;
    clinic: Awaited<ReturnType<typeof startClinicService>>;
    audit: Awaited<ReturnType<typeof startAuditService>>;
    gateway: Awaited<ReturnType<typeof startGateway>>;
  };
  /** The patients service now (null while stopped). */
  patients(): Awaited<ReturnType<typeof startPatientsService>> | null;
  /** The platform's own mail catcher: every mail auth sent (invitations, resets) arrives here. */
  mail: MailCatcher;
  /**
   * What an invited person does with the newest invitation mail to `email`: choose a password with
   * its link, accept the clinic's invitation, pick the clinic. Returns their session there.
   */
  joinFromMail(email: string, options?: { password?: string; after?: string }): Promise<Session>;
  /** Stops the patients service (its database and port stay): tests of what happens while it is down. */
  stopPatients(): Promise<void>;
  /** Starts patients again on the same port and database. */
  startPatients(): Promise<void>;
  /** Stops auth (its database and port stay): what the platform does while sign-in is down. */
  stopAuth(): Promise<void>;
  /** Starts auth again on the same port and database; `services.auth` is the new one. */
  startAuth(): Promise<void>;
  /** This platform's own identity stream (users' and admin's identity changes). */
  identityStream: string;
  /** A sign-in; the operator's second factor (a passkey the platform registered for them) is given by the platform. */
  login(email: string, clinicId?: string): Promise<Session>;
  query<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

export interface Session {
  token: string;
  clinicId: string | null;
  roles: string[];
  permissions: string[];
  userId: string;
}

/**
 * The whole platform for one test file: auth, users, admin, patients, visits, clinic, audit and
 * the gateway, each a real HTTP server on its own fresh database, seeded with the demo through the
 * gateway exactly as `npm start` does.
 */
export interface PlatformOptions {
  /** Extra gateway configuration, e.g. ALLOWED_ORIGINS for the web clients of browser tests. */
  gatewayEnv?: Record<string, string>;
  /** Extra auth configuration, e.g. CLINIC_WEB_URL so mailed links open the browser tests' staff app. */
  authEnv?: Record<string, string>;
  /** Configuration every service gets (e.g. an external IdP every service trusts). */
  commonEnv?: Record<string, string>;
  /** A Redis of the platform's own (e.g. a private one a test stops); default REDIS_URL or the local one. */
  redisUrl?: string;
}

/** What to undo, in the order things were set up (run in reverse). */
type Cleanups = Array<() => Promise<unknown>>;

async function runCleanups(cleanups: Cleanups): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    await cleanup().catch(() => undefined);
  }
  cleanups.length = 0;
}

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const cleanups: Cleanups = [];
  try {
    return await assemblePlatform(options, cleanups);
  } catch (error) {
    // a start that failed half-way leaves no services, databases, streams or consumer groups behind
    await runCleanups(cleanups);
    throw error;
  }
}

async function assemblePlatform(options: PlatformOptions, cleanups: Cleanups): Promise<Platform> {
  const databases: Record<'auth' | 'users' | 'admin' | 'patients' | 'audit' | 'visits' | 'clinic', TestDatabase> = {
    visits: await createTestDatabase('visits'),
    clinic: await createTestDatabase('clinic'),
    audit: await createTestDatabase('audit'),
    auth: await createTestDatabase('auth'),
    users: await createTestDatabase('users'),
    admin: await createTestDatabase('admin'),
    patients: await createTestDatabase('patients'),
  };
  cleanups.push(() => Promise.all(Object.values(databases).map((d) => d.drop())));
  // this platform's own mail server: invitations and resets are read from it, as a person reads mail (bound before the
  // services' ports are picked, so none of them can be handed its port)
  const mail = await startMailCatcher({ rejectRecipients: /@bounce\.test$/ });
  cleanups.push(() => mail.stop());
  const ports = {
    auth: await freePort(),
    users: await freePort(),
    admin: await freePort(),
    patients: await freePort(),
    audit: await freePort(),
    visits: await freePort(),
    clinic: await freePort(),
    gateway: await freePort(),
  };
  // this platform's own audit stream, so parallel or earlier runs never mix their events
  const auditStream = `t:e2e:audit:${randomUUID()}`;
  const visitEventsStream = `t:e2e:visits:${randomUUID()}`;
  const historyCachePrefix = `t:e2e:history:${randomUUID()}`;
  const identityStream = `t:e2e:identity:${randomUUID()}`;
  const urls = {
    auth: `http://127.0.0.1:${ports.auth}`,
    users: `http://127.0.0.1:${ports.users}`,
    admin: `http://127.0.0.1:${ports.admin}`,
    patients: `http://127.0.0.1:${ports.patients}`,
    audit: `http://127.0.0.1:${ports.audit}`,
    visits: `http://127.0.0.1:${ports.visits}`,
    clinic: `http://127.0.0.1:${ports.clinic}`,
  };
  // clinic consumes the real cluster streams admin publishes to (shared Redis) with a consumer group
  // of this platform's own that starts at the end: it sees this platform's clinic events only
  // (and whatever else is published meanwhile, which is harmless in its own database)
  const clinicGroup = `clinic-e2e-${randomUUID()}`;
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  /** the clusters whose streams the clinic group reads (admin's), known once admin is configured */
  let clusters: string[] = [];
  // this platform's streams, cache keys and clinic consumer group (removed once every service has stopped)
  cleanups.push(async () => {
    // (the platform's Redis may be a private one a test has stopped: then there is nothing to clean)
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      await redis.del(auditStream, `${auditStream}:parked`, visitEventsStream, identityStream, `${identityStream}:parked`);
      const cached = await redis.keys(`${historyCachePrefix}*`);
      if (cached.length) await redis.del(...cached);
      for (const cluster of clusters) await redis.xgroup('DESTROY', clusterStream(cluster), clinicGroup).catch(() => undefined);
      const done = await redis.keys(`events:done:${clinicGroup}:*`);
      if (done.length) await redis.del(...done);
    } finally {
      redis.disconnect();
    }
  });
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    // ops endpoints on ports of their own, picked by the system (RunningService.opsUrl names them)
    OPS_PORT: '0',
    REDIS_URL: redisUrl,
    AUTH_URL: urls.auth,
    USERS_URL: urls.users,
    ADMIN_URL: urls.admin,
    PATIENTS_URL: urls.patients,
    AUDIT_URL: urls.audit,
    VISITS_URL: urls.visits,
    CLINIC_URL: urls.clinic,
    IDENTITY_STREAM: identityStream,
    ...options.commonEnv,
  };
  const authConfig = loadAuthConfig({
    ...common,
    PORT: String(ports.auth),
    DATABASE_URL: databases.auth.url,
    FACTS_WARM_INTERVAL_MS: '500',
    SMTP_URL: mail.smtpUrl,
    MAIL_RELAY_INTERVAL_MS: '100',
    // the demo's addresses are the same in every platform: their login and reset counts are this platform's own
    RATE_LIMIT_KEY_PREFIX: `t:e2e:${randomUUID()}:`,
    ...options.authEnv,
  });
  // its audit events (session.started, displays) go to this platform's audit stream too
  let auth = await startAuthService(authConfig, { auditStream });
  // (the auth running now: a test may have restarted it)
  cleanups.push(() => auth.stop());
  const audit = await startAuditService(
    loadAuditConfig({ ...common, PORT: String(ports.audit), DATABASE_URL: databases.audit.url, AUDIT_STREAM: auditStream }),
  );
  cleanups.push(() => audit.stop());
  const users = await startUsersService(loadUsersConfig({ ...common, PORT: String(ports.users), DATABASE_URL: databases.users.url }), {
    auditStream,
  });
  cleanups.push(() => users.stop());
  const adminConfig = loadAdminConfig({ ...common, PORT: String(ports.admin), DATABASE_URL: databases.admin.url });
  clusters = adminConfig.CLUSTERS;
  const admin = await startAdminService(adminConfig);
  cleanups.push(() => admin.stop());
  const clinic = await startClinicService(
    loadClinicConfig({ ...common, PORT: String(ports.clinic), DATABASE_URL: databases.clinic.url, CLUSTERS: adminConfig.CLUSTERS.join(',') }),
    { auditStream, clusterGroup: clinicGroup, clusterStartId: '$' },
  );
  cleanups.push(() => clinic.stop());
  // the groups exist before anything is published (they start at '$')
  await Promise.all(clinic.clusterEvents.map((s) => s.ready));
  const visits = await startVisitsService(
    loadVisitsConfig({ ...common, PORT: String(ports.visits), DATABASE_URL: databases.visits.url }),
    { auditStream, visitEventsStream, historyCachePrefix },
  );
  cleanups.push(() => visits.stop());
  const patientsConfig = loadPatientsConfig({
    ...common,
    PORT: String(ports.patients),
    DATABASE_URL: databases.patients.url,
    ARCHIVE_RELAY_INTERVAL_MS: '200',
  });
  let patients: Awaited<ReturnType<typeof startPatientsService>> | null = await startPatientsService(patientsConfig, {
    auditStream,
    visitEventsStream,
  });
  cleanups.push(async () => patients?.stop());
  // the queue push follows the visit events this platform's patients publishes
  const gateway = await startGateway(
    loadGatewayConfig({
      ...common,
      VISIT_EVENTS_STREAM: visitEventsStream,
      // its token-request counts are this platform's own
      RATE_LIMIT_KEY_PREFIX: `t:e2e:gw:${randomUUID()}:`,
      ...options.gatewayEnv,
      PORT: String(ports.gateway),
    }),
  );
  cleanups.push(() => gateway.stop());
  const gatewayUrl = `${gateway.url}/graphql`;

  const env = { NODE_ENV: 'test', DATABASE_URL_AUTH: databases.auth.url, USERS_URL: urls.users, SEED_MAIL_WAIT_MS: '15000' };
  let operatorSecret: unknown = null;
  const seeded = await seedDemo({
    gatewayUrl: gateway.url,
    env,
    mailUrl: mail.webUrl,
    operatorSecrets: { load: () => operatorSecret, save: (value: unknown) => (operatorSecret = value) },
  });
  const password: string = demoPassword(env);

  // The operator signs in with a second factor, always. The seed enrolled an authenticator app;
  // for the tests' many sign-ins the platform also registers a passkey (a software authenticator),
  // which — unlike a 30-second code — can be used any number of times in a row.
  const operatorDevice = createSoftAuthenticator({ origin: 'http://localhost:3001', rpId: 'localhost' });
  const registration = await gql(gatewayUrl, `mutation { passkeyRegistrationOptions }`, {}, { token: seeded.operator.token });
  const registered = await gql(
    gatewayUrl,
    `mutation($r: JSON!) { registerPasskey(response: $r, name: "e2e platform") { recoveryCodes } }`,
    { r: operatorDevice.register(registration.data!.passkeyRegistrationOptions) },
    { token: seeded.operator.token },
  );
  if (registered.errors) throw new Error(`operator passkey: ${JSON.stringify(registered.errors)}`);

  const SESSION = 'token clinicId roles permissions user { id }';
  const LOGIN = `mutation($email: String!, $password: String!, $clinicId: ID) {
    login(email: $email, password: $password, clinicId: $clinicId) { ${SESSION} }
  }`;
  const asSession = (payload: any): Session => ({
    token: payload.token,
    clinicId: payload.clinicId,
    roles: payload.roles,
    permissions: payload.permissions,
    userId: payload.user.id,
  });
  async function login(email: string, clinicId?: string): Promise<Session> {
    const response = await gql(gatewayUrl, LOGIN, { email, password, clinicId });
    if (response.data?.login) return asSession(response.data.login);
    const refusal = response.errors?.[0]?.extensions as { reason?: string; ticket?: string } | undefined;
    if (refusal?.reason === 'SECOND_FACTOR_REQUIRED' && refusal.ticket && email === DEMO.operator.email) {
      const options = await gql(gatewayUrl, `mutation($t: String!) { passkeyLoginOptions(ticket: $t) }`, { t: refusal.ticket });
      const verified = await gql(
        gatewayUrl,
        `mutation($t: String!, $p: JSON!) { verifySecondFactor(ticket: $t, passkey: $p) { ${SESSION} } }`,
        { t: refusal.ticket, p: operatorDevice.authenticate(options.data!.passkeyLoginOptions) },
      );
      if (verified.data?.verifySecondFactor) return asSession(verified.data.verifySecondFactor);
      throw new Error(`login ${email} (passkey): ${JSON.stringify(verified.errors)}`);
    }
    throw new Error(`login ${email}: ${JSON.stringify(response.errors)}`);
  }

  async function joinFromMail(email: string, joinOptions: { password?: string; after?: string } = {}): Promise<Session> {
    const message: CaughtMail = await mail.waitFor({ to: email, ...(joinOptions.after ? { after: joinOptions.after } : {}) });
    const link = message.links.find((l) => l.includes('/accept-invitation?token='));
    if (!link) throw new Error(`the newest mail to ${email} has no link to choose a password: ${message.subject}`);
    const accepted = await gql(gatewayUrl, `mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token } }`, {
      t: new URL(link).searchParams.get('token'),
      p: joinOptions.password ?? password,
    });
    if (accepted.errors) throw new Error(`acceptInvitation for ${email}: ${JSON.stringify(accepted.errors)}`);
    const token = accepted.data!.acceptInvitation.token as string;
    const mine = await gql(gatewayUrl, `{ me { invitations { id clinic { id } } } }`, {}, { token });
    const [invitation] = mine.data!.me.invitations;
    if (!invitation) throw new Error(`${email} has no open invitation`);
    await gql(gatewayUrl, `mutation($id: ID!) { acceptClinicInvitation(id: $id) { roles } }`, { id: invitation.id }, { token });
    const switched = await gql(gatewayUrl, `mutation($c: ID!) { switchClinic(clinicId: $c) { ${SESSION} } }`, { c: invitation.clinic.id }, { token });
    if (switched.errors) throw new Error(`switchClinic for ${email}: ${JSON.stringify(switched.errors)}`);
    return asSession(switched.data!.switchClinic);
  }
  const adminLogin = await login(DEMO.admin.email);
  const services = { auth, users, admin, visits, clinic, audit, gateway };

  return {
    gatewayUrl,
    urls,
    password,
    demo: DEMO,
    clinicId: adminLogin.clinicId!,
    services,
    patients: () => patients,
    mail,
    joinFromMail,
    async stopPatients() {
      await patients?.stop();
      patients = null;
    },
    async startPatients() {
      patients ??= await startPatientsService(patientsConfig, { auditStream, visitEventsStream });
    },
    async stopAuth() {
      await auth.stop();
    },
    async startAuth() {
      auth = await startAuthService(authConfig, { auditStream });
      services.auth = auth;
    },
    identityStream,
    login,
    query: (query, variables = {}, token) => gql(gatewayUrl, query, variables, token ? { token } : {}),
    async stop() {
      await runCleanups(cleanups);
    },
  };
}
