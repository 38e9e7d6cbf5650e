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
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort, gql, type GraphQLResponse } from '@clinicult/testing';
// The demo seed is plain ESM (scripts/seed.mjs): the same code `npm start` runs.
// @ts-expect-error -- untyped .mjs module
import { seedDemo, demoPassword, DEMO } from '../../../scripts/seed.mjs';

export interface Platform {
  gatewayUrl: string;
  urls: { auth: string; users: string; admin: string; patients: string; audit: string; visits: string; clinic: string };
  password: string;
  demo: typeof DEMO;
  clinicId: string;
  services: { auth: Awaited<ReturnType<typeof startAuthService>> };
  /** Stops the patients service (its database and port stay): tests of what happens while it is down. */
  stopPatients(): Promise<void>;
  /** Starts patients again on the same port and database. */
  startPatients(): Promise<void>;
  login(email: string, clinicId?: string): Promise<{ token: string; clinicId: string | null; roles: string[]; permissions: string[]; userId: string }>;
  query<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/**
 * The whole platform for one test file: auth, users, admin, patients, visits, clinic, audit and
 * the gateway, each a real HTTP server on its own fresh database, seeded with the demo through the
 * gateway exactly as `npm start` does.
 */
export interface PlatformOptions {
  /** Extra gateway configuration, e.g. ALLOWED_ORIGINS for the web clients of browser tests. */
  gatewayEnv?: Record<string, string>;
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
  /** the clusters whose streams the clinic group reads (admin's), known once admin is configured */
  let clusters: string[] = [];
  // this platform's streams, cache keys and clinic consumer group (removed once every service has stopped)
  cleanups.push(async () => {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      await redis.del(auditStream, `${auditStream}:parked`, visitEventsStream);
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
    AUTH_URL: urls.auth,
    USERS_URL: urls.users,
    ADMIN_URL: urls.admin,
    PATIENTS_URL: urls.patients,
    AUDIT_URL: urls.audit,
    VISITS_URL: urls.visits,
    CLINIC_URL: urls.clinic,
  };
  const auth = await startAuthService(
    loadAuthConfig({ ...common, PORT: String(ports.auth), DATABASE_URL: databases.auth.url, FACTS_WARM_INTERVAL_MS: '500' }),
  );
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
  const gateway = await startGateway(loadGatewayConfig({ ...common, ...options.gatewayEnv, PORT: String(ports.gateway) }));
  cleanups.push(() => gateway.stop());
  const gatewayUrl = `${gateway.url}/graphql`;

  const env = { NODE_ENV: 'test', DATABASE_URL_AUTH: databases.auth.url, DATABASE_URL_USERS: databases.users.url };
  await seedDemo({ gatewayUrl: gateway.url, env });
  await auth.facts.warm(); // the operator was bootstrapped straight into auth's database
  const password: string = demoPassword(env);

  const LOGIN = `mutation($email: String!, $password: String!, $clinicId: ID) {
    login(email: $email, password: $password, clinicId: $clinicId) { token clinicId roles permissions user { id } }
  }`;
  async function login(email: string, clinicId?: string) {
    const response = await gql(gatewayUrl, LOGIN, { email, password, clinicId });
    if (!response.data?.login) throw new Error(`login ${email}: ${JSON.stringify(response.errors)}`);
    const { token, roles, permissions, user } = response.data.login;
    return { token, clinicId: response.data.login.clinicId, roles, permissions, userId: user.id };
  }
  const adminLogin = await login(DEMO.admin.email);

  return {
    gatewayUrl,
    urls,
    password,
    demo: DEMO,
    clinicId: adminLogin.clinicId!,
    services: { auth },
    async stopPatients() {
      await patients?.stop();
      patients = null;
    },
    async startPatients() {
      patients ??= await startPatientsService(patientsConfig, { auditStream, visitEventsStream });
    },
    login,
    query: (query, variables = {}, token) => gql(gatewayUrl, query, variables, token ? { token } : {}),
    async stop() {
      await runCleanups(cleanups);
    },
  };
}
