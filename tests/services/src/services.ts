/**
 * Real services for tests that need more than one: each started in-process by package name (this
 * package's devDependencies, so turbo builds and re-runs these tests when one of them changes), on
 * port 0 unless told, over a fresh database of its own, trusting the test's issuer.
 */
import type { TestDatabase } from '@clinicult/db';
import type { RunningService } from '@clinicult/kit';
import { inProcess, type InProcess, type TestIssuer } from '@clinicult/testing';
import { loadAdminConfig, startAdminService, type AdminServiceOverrides } from '@clinicult/admin-service';
import { loadAuditConfig, startAuditService, type AuditServiceOverrides } from '@clinicult/audit-service';
import { loadAuthConfig, startAuthService, type ServiceOverrides as AuthOverrides } from '@clinicult/auth-service';
import { loadClinicConfig, startClinicService, type ClinicOverrides } from '@clinicult/clinic-service';
import { loadPatientsConfig, startPatientsService, type PatientsOverrides } from '@clinicult/patients-service';
import { loadUsersConfig, startUsersService, type UsersOverrides } from '@clinicult/users-service';
import { loadVisitsConfig, startVisitsService, type VisitsOverrides } from '@clinicult/visits-service';

export interface StartOptions<O> {
  /** tokens of this issuer are trusted besides the service's own issuer */
  issuer?: TestIssuer;
  /** default 0: any free port */
  port?: number;
  /** configuration on top of the test defaults (NODE_ENV=test, silent logs, the database) */
  env?: Record<string, string>;
  overrides?: O;
  /** a database the test prepared; default a fresh migrated one. Dropped on stop either way. */
  database?: TestDatabase;
}

function starter<O extends object, S extends RunningService>(name: string, run: (env: Record<string, string>, overrides: O) => Promise<S>) {
  return (options: StartOptions<O> = {}): Promise<InProcess<S>> =>
    inProcess(
      name,
      (databaseUrl) =>
        run(
          {
            NODE_ENV: 'test',
            LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
            ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
            PORT: String(options.port ?? 0),
            DATABASE_URL: databaseUrl,
            ...options.env,
          },
          { ...(options.issuer ? { issuers: [options.issuer.trusted] } : {}), ...options.overrides } as O,
        ),
      options.database,
    );
}

export const startAuthProcess = starter('auth', (env, o: AuthOverrides) => startAuthService(loadAuthConfig(env), o));
export const startUsers = starter('users', (env, o: UsersOverrides) => startUsersService(loadUsersConfig(env), o));
export const startAdminProcess = starter('admin', (env, o: AdminServiceOverrides) => startAdminService(loadAdminConfig(env), o));
export const startPatients = starter('patients', (env, o: PatientsOverrides) => startPatientsService(loadPatientsConfig(env), o));
export const startVisits = starter('visits', (env, o: VisitsOverrides) => startVisitsService(loadVisitsConfig(env), o));
export const startClinic = starter('clinic', (env, o: ClinicOverrides) => startClinicService(loadClinicConfig(env), o));
export const startAudit = starter('audit', (env, o: AuditServiceOverrides) => startAuditService(loadAuditConfig(env), o));
