import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { loadAdminConfig, startAdminService } from '@clinicult/admin-service';
import { loadAuditConfig, startAuditService } from '@clinicult/audit-service';
import { loadAuthConfig, startAuthService } from '@clinicult/auth-service';
import { loadClinicConfig, startClinicService } from '@clinicult/clinic-service';
import { loadGatewayConfig, startGateway } from '@clinicult/gateway';
import { loadPatientsConfig, startPatientsService } from '@clinicult/patients-service';
import { loadUsersConfig, startUsersService } from '@clinicult/users-service';
import { loadVisitsConfig, startVisitsService } from '@clinicult/visits-service';
import { startMailCatcher, type MailCatcher } from '@clinicult/mail-catcher';
import { createTotpApp, freePort, gql, startPrivateRedis, type GraphQLResponse, type PrivateRedis, type TotpApp } from '@clinicult/testing';
// The demo seed is plain ESM (scripts/seed.mjs): the same code `npm start` runs.
// @ts-expect-error -- untyped .mjs module
import { seedDemo, demoPassword, DEMO } from '../../../scripts/seed.mjs';

/**
 * Two regions on one machine (issue 16, docs/architecture.md "Planes and regional clusters"): the
 * platform plane (auth, users, admin and a mail catcher) once, on the machine's Redis; and two
 * clusters, eu-1 and us-1, each with its own redis-server, its own patients, visits, clinic and
 * audit databases and services, and its own gateway (CLUSTER set). The demo is seeded as `npm start
 * -- --clusters=eu-1,us-1` seeds it: Demo Clinic (Madrid) in eu-1, Demo Clinic Boston in us-1.
 */
export const CLUSTER_NAMES = ['eu-1', 'us-1'] as const;
export type ClusterName = (typeof CLUSTER_NAMES)[number];

type Services = {
  patients: Awaited<ReturnType<typeof startPatientsService>>;
  visits: Awaited<ReturnType<typeof startVisitsService>>;
  clinic: Awaited<ReturnType<typeof startClinicService>>;
  audit: Awaited<ReturnType<typeof startAuditService>>;
  gateway: Awaited<ReturnType<typeof startGateway>>;
};

export interface Cluster {
  name: ClusterName;
  redis: PrivateRedis;
  /** its public GraphQL API (what AuthPayload.apiUrl names) */
  apiUrl: string;
  /** the gateway's base URL (FHIR at /fhir) */
  gatewayUrl: string;
  /** the running services (null while stopped) */
  services(): Services | null;
  /** Stops every service of the cluster (their databases, ports and Redis stay). */
  stopServices(): Promise<void>;
  /** Starts them again on the same ports and databases. */
  startServices(): Promise<void>;
}

export interface Session {
  token: string;
  clinicId: string | null;
  apiUrl: string | null;
  userId: string;
}

/** How old auth's heartbeat may be in the clusters here (short, so a test sees them close). */
export const FACTS_MAX_AGE_MS = 3000;

export interface Regions {
  clusters: Record<ClusterName, Cluster>;
  /** auth now (a test may stop and start it) */
  auth(): Awaited<ReturnType<typeof startAuthService>> | null;
  /** Stops auth (its database and port stay): the platform plane cut off from the clusters. */
  stopAuth(): Promise<void>;
  startAuth(): Promise<void>;
  /** Stops users (the platform's people and memberships), and starts it again on the same port and database. */
  stopUsers(): Promise<void>;
  startUsers(): Promise<void>;
  admin: Awaited<ReturnType<typeof startAdminService>>;
  mail: MailCatcher;
  /** Demo Clinic (Madrid, eu-1) and Demo Clinic Boston (us-1) */
  clinics: { madrid: string; boston: string };
  password: string;
  demo: typeof DEMO;
  /** A sign-in at a cluster's gateway (sign-in is the platform's: any gateway takes it). */
  login(email: string, at?: ClusterName, clinicId?: string): Promise<Session>;
  /** The demo operator, with the second factor the seed enrolled. */
  operator(): Promise<Session>;
  query<T = Record<string, any>>(at: ClusterName, query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

const SESSION = 'token clinicId apiUrl user { id }';

export interface RegionsOptions {
  /** Extra configuration of every gateway, e.g. ALLOWED_ORIGINS for a browser test's staff app. */
  gatewayEnv?: Record<string, string>;
  /** Extra configuration of auth, e.g. CLINIC_WEB_URL. */
  authEnv?: Record<string, string>;
}

export async function startRegions(options: RegionsOptions = {}): Promise<Regions> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    return await assemble(options, cleanups, cleanup);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function assemble(options: RegionsOptions, cleanups: Array<() => Promise<unknown>>, cleanup: () => Promise<void>): Promise<Regions> {
  const platformDbs: Record<'auth' | 'users' | 'admin', TestDatabase> = {
    auth: await createTestDatabase('auth'),
    users: await createTestDatabase('users'),
    admin: await createTestDatabase('admin'),
  };
  cleanups.push(() => Promise.all(Object.values(platformDbs).map((d) => d.drop())));
  const mail = await startMailCatcher();
  cleanups.push(() => mail.stop());
  const platformPorts = { auth: await freePort(), users: await freePort(), admin: await freePort() };
  const platformUrls = {
    auth: `http://127.0.0.1:${platformPorts.auth}`,
    users: `http://127.0.0.1:${platformPorts.users}`,
    admin: `http://127.0.0.1:${platformPorts.admin}`,
  };

  // each cluster: its Redis, its databases and ports (known before the platform starts: auth and admin address them)
  const layout = {} as Record<ClusterName, { redis: PrivateRedis; dbs: Record<'patients' | 'visits' | 'clinic' | 'audit', TestDatabase>; ports: Record<keyof Services, number> }>;
  for (const name of CLUSTER_NAMES) {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const dbs = {
      patients: await createTestDatabase('patients'),
      visits: await createTestDatabase('visits'),
      clinic: await createTestDatabase('clinic'),
      audit: await createTestDatabase('audit'),
    };
    cleanups.push(() => Promise.all(Object.values(dbs).map((d) => d.drop())));
    const ports = { patients: await freePort(), visits: await freePort(), clinic: await freePort(), audit: await freePort(), gateway: await freePort() };
    layout[name] = { redis, dbs, ports };
  }
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const perCluster = <T>(value: (name: ClusterName) => T) => Object.fromEntries(CLUSTER_NAMES.map((n) => [n, value(n)])) as Record<ClusterName, T>;
  const apiUrls = perCluster((n) => `${url(layout[n].ports.gateway)}/graphql`);
  const identityStream = `t:e2e:regions:identity:${randomUUID()}`;
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    OPS_PORT: '0',
    AUTH_URL: platformUrls.auth,
    USERS_URL: platformUrls.users,
    ADMIN_URL: platformUrls.admin,
    IDENTITY_STREAM: identityStream,
    CLUSTER_API_URLS: JSON.stringify(apiUrls),
  };
  const platformRedis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const platform = { ...common, REDIS_URL: platformRedis };

  const authConfig = loadAuthConfig({
      ...platform,
      PORT: String(platformPorts.auth),
      DATABASE_URL: platformDbs.auth.url,
      FACTS_WARM_INTERVAL_MS: '500',
      SMTP_URL: mail.smtpUrl,
      MAIL_RELAY_INTERVAL_MS: '100',
      RATE_LIMIT_KEY_PREFIX: `t:e2e:regions:${randomUUID()}:`,
      CLUSTER_REDIS_URLS: JSON.stringify(perCluster((n) => layout[n].redis.url)),
      ...options.authEnv,
    });
  let auth: Awaited<ReturnType<typeof startAuthService>> | null = await startAuthService(authConfig);
  cleanups.push(async () => auth?.stop());
  const usersConfig = loadUsersConfig({
    ...platform,
    PORT: String(platformPorts.users),
    DATABASE_URL: platformDbs.users.url,
    CLUSTER_REDIS_URLS: JSON.stringify(perCluster((n) => layout[n].redis.url)),
  });
  let users: Awaited<ReturnType<typeof startUsersService>> | null = await startUsersService(usersConfig);
  cleanups.push(async () => users?.stop());
  const admin = await startAdminService(
    loadAdminConfig({
      ...platform,
      PORT: String(platformPorts.admin),
      DATABASE_URL: platformDbs.admin.url,
      CLUSTERS: CLUSTER_NAMES.join(','),
      CLUSTER_REDIS_URLS: JSON.stringify(perCluster((n) => layout[n].redis.url)),
      CLUSTER_SERVICES: JSON.stringify(perCluster((n) => ({ patients: url(layout[n].ports.patients), visits: url(layout[n].ports.visits) }))),
    }),
  );
  cleanups.push(() => admin.stop());

  const clusters = {} as Record<ClusterName, Cluster>;
  for (const name of CLUSTER_NAMES) {
    const { redis, dbs, ports } = layout[name];
    const env = {
      ...common,
      REDIS_URL: redis.url,
      CLUSTER: name,
      FACTS_MAX_AGE_MS: String(FACTS_MAX_AGE_MS),
      PATIENTS_URL: url(ports.patients),
      VISITS_URL: url(ports.visits),
      CLINIC_URL: url(ports.clinic),
      AUDIT_URL: url(ports.audit),
    };
    let running: Services | null = null;
    const start = async () => {
      const audit = await startAuditService(loadAuditConfig({ ...env, PORT: String(ports.audit), DATABASE_URL: dbs.audit.url }));
      const clinic = await startClinicService(loadClinicConfig({ ...env, PORT: String(ports.clinic), DATABASE_URL: dbs.clinic.url, CLUSTERS: name }));
      const visits = await startVisitsService(loadVisitsConfig({ ...env, PORT: String(ports.visits), DATABASE_URL: dbs.visits.url }));
      const patients = await startPatientsService(
        loadPatientsConfig({ ...env, PORT: String(ports.patients), DATABASE_URL: dbs.patients.url, ARCHIVE_RELAY_INTERVAL_MS: '200' }),
      );
      const gateway = await startGateway(loadGatewayConfig({ ...env, ...options.gatewayEnv, PORT: String(ports.gateway) }));
      running = { audit, clinic, visits, patients, gateway };
      await Promise.all(clinic.clusterEvents.map((s) => s.ready));
    };
    const stopServices = async () => {
      const current = running;
      running = null;
      if (!current) return;
      for (const service of [current.gateway, current.patients, current.visits, current.clinic, current.audit]) await service.stop();
    };
    await start();
    cleanups.push(stopServices);
    clusters[name] = {
      name,
      redis,
      apiUrl: apiUrls[name],
      gatewayUrl: url(ports.gateway),
      services: () => running,
      stopServices,
      startServices: async () => {
        if (!running) await start();
      },
    };
  }

  let operatorSecret: { totpSecret: string } | null = null as { totpSecret: string } | null;
  const seedEnv = { NODE_ENV: 'test', DATABASE_URL_AUTH: platformDbs.auth.url, USERS_URL: platformUrls.users, SEED_MAIL_WAIT_MS: '15000' };
  const seeded = await seedDemo({
    gatewayUrl: clusters['eu-1'].gatewayUrl,
    env: seedEnv,
    mailUrl: mail.webUrl,
    operatorSecrets: { load: () => operatorSecret, save: (value: { totpSecret: string }) => (operatorSecret = value) },
  });
  const password: string = demoPassword(seedEnv);

  async function login(email: string, at: ClusterName = 'eu-1', clinicId?: string): Promise<Session> {
    const response = await gql(clusters[at].apiUrl, `mutation($e: String!, $p: String!, $c: ID) { login(email: $e, password: $p, clinicId: $c) { ${SESSION} } }`, {
      e: email,
      p: password,
      c: clinicId,
    });
    if (!response.data?.login) throw new Error(`login ${email}: ${JSON.stringify(response.errors)}`);
    const { token, clinicId: clinic, apiUrl, user } = response.data.login;
    return { token, clinicId: clinic, apiUrl, userId: user.id };
  }

  // one operator session for the whole file (the seed enrolled the authenticator; each code is accepted once)
  let operatorSession: Promise<Session> | null = null;
  let operatorApp: TotpApp | null = null;
  async function signInOperator(): Promise<Session> {
    operatorApp ??= createTotpApp(operatorSecret!.totpSecret);
    // the seed's own sign-in used the current step's code: the app's first is refused, its next is not
    for (let attempt = 0; attempt < 3; attempt++) {
      const refused = await gql(clusters['us-1'].apiUrl, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, {
        e: DEMO.operator.email,
        p: password,
      });
      const ticket = (refused.errors?.[0]?.extensions as { ticket?: string } | undefined)?.ticket;
      if (!ticket) throw new Error(`operator sign-in: ${JSON.stringify(refused.errors)}`);
      const verified = await gql(clusters['us-1'].apiUrl, `mutation($t: String!, $c: String) { verifySecondFactor(ticket: $t, code: $c) { ${SESSION} } }`, {
        t: ticket,
        c: await operatorApp.nextCode(),
      });
      if (verified.data?.verifySecondFactor) {
        const { token, clinicId, apiUrl, user } = verified.data.verifySecondFactor;
        return { token, clinicId, apiUrl, userId: user.id };
      }
    }
    throw new Error('operator second factor refused three times');
  }
  const operator = () => (operatorSession ??= signInOperator());

  const madrid = (await login(DEMO.admin.email)).clinicId!;
  const boston = (await login(DEMO.secondClinic.admin.email)).clinicId!;
  void seeded;
  return {
    clusters,
    auth: () => auth,
    async stopAuth() {
      await auth?.stop();
      auth = null;
    },
    async startAuth() {
      auth ??= await startAuthService(authConfig);
    },
    async stopUsers() {
      await users?.stop();
      users = null;
    },
    async startUsers() {
      users ??= await startUsersService(usersConfig);
    },
    admin,
    mail,
    clinics: { madrid, boston },
    password,
    demo: DEMO,
    login,
    operator,
    query: (at, query, variables = {}, token) => gql(clusters[at].apiUrl, query, variables, token ? { token } : {}),
    stop: cleanup,
  };
}
