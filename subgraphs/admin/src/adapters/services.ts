import { GraphQLError } from 'graphql';
import { callGraphQL, ServiceTokenSource, type Logger, type TypedDocumentNode } from '@clinicult/kit';
import type { AdminConfig } from '../config.js';
import type { AdminProvisioner, ClinicCounter, UpstreamService } from '../domain/ports.js';
import { ClinicPatientCountsDocument } from '../__generated__/patients-operations.js';
import { ClinicStaffCountDocument, ProvisionAdminUserDocument } from '../__generated__/users-operations.js';
import { ClinicVisitCountsDocument } from '../__generated__/visits-operations.js';

/**
 * admin's calls to other services (DESIGN.md: service tokens, every internal call names its clinic),
 * all with a client-credentials token for service 'admin'. (A clinic's access reaches auth as an
 * identity event from admin's outbox, domain/clinics.ts, not as a call.)
 */

/**
 * A dependency failed, so admin changed nothing. `SERVICE_UNAVAILABLE`: it could not be reached
 * (network, timeout, 5xx, no service token); `UPSTREAM_ERROR`: it answered with a refusal admin
 * cannot fix by itself (a misconfigured service secret or capability). Both are retryable by the
 * operator once the dependency is healthy, and both say that nothing changed.
 */
export function dependencyError(
  service: UpstreamService,
  action: string,
  kind: 'SERVICE_UNAVAILABLE' | 'UPSTREAM_ERROR',
  detail: string,
): GraphQLError {
  const what =
    kind === 'SERVICE_UNAVAILABLE' ? `the ${service} service could not be reached (${detail})` : `the ${service} service refused (${detail})`;
  return new GraphQLError(`Could not ${action}: ${what}. Nothing was changed; try again shortly.`, {
    extensions: { code: kind, service },
  });
}

/** Remote codes that describe the operator's input: passed through as they are. */
const INPUT_CODES = new Set(['BAD_USER_INPUT', 'CONFLICT', 'NOT_FOUND']);

class ServiceCaller {
  private tokens: ServiceTokenSource;

  constructor(
    private readonly config: AdminConfig,
    private readonly logger: Logger,
  ) {
    this.tokens = this.newTokenSource();
  }

  private newTokenSource(): ServiceTokenSource {
    return ServiceTokenSource.forService('admin', this.config, this.config.UPSTREAM_TIMEOUT_MS);
  }

  /**
   * One internal GraphQL call with admin's service token. A token refused as UNAUTHENTICATED (auth
   * restarted with new keys) is fetched afresh and the call retried once. Every failure becomes a
   * GraphQLError saying which service failed and that nothing changed.
   */
  async call<TResult, TVariables extends Record<string, unknown>>(
    service: UpstreamService,
    url: string,
    action: string,
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    options: { clinicId: string; requestId?: string },
  ): Promise<TResult> {
    for (let attempt = 1; ; attempt++) {
      let token: string;
      try {
        token = await this.tokens.token();
      } catch (error) {
        this.logger.warn({ err: error, service }, 'admin: no service token from auth');
        throw dependencyError(service, action, 'SERVICE_UNAVAILABLE', `no service token from auth: ${describe(error)}`);
      }
      try {
        return await callGraphQL(`${url.replace(/\/+$/, '')}/graphql`, document, variables, {
          token,
          clinicId: options.clinicId,
          ...(options.requestId ? { requestId: options.requestId } : {}),
          timeoutMs: this.config.UPSTREAM_TIMEOUT_MS,
        });
      } catch (error) {
        if (error instanceof GraphQLError) {
          const code = String(error.extensions.code ?? '');
          if (code === 'UNAUTHENTICATED' && attempt === 1) {
            this.tokens = this.newTokenSource();
            continue;
          }
          if (INPUT_CODES.has(code)) throw new GraphQLError(error.message, { extensions: { ...error.extensions, service } });
          this.logger.error({ err: error, service, code }, `admin: ${service} refused an internal call`);
          throw dependencyError(service, action, 'UPSTREAM_ERROR', `${code || 'error'}: ${error.message}`);
        }
        this.logger.warn({ err: error, service }, `admin: ${service} unreachable`);
        throw dependencyError(service, action, 'SERVICE_UNAVAILABLE', describe(error));
      }
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ? `${error.message}: ${cause.code}` : error.message;
  }
  return String(error);
}

export interface AdminClients {
  provisioner: AdminProvisioner;
  counter: ClinicCounter;
}

/** The real clients over HTTP: auth at AUTH_URL, users at USERS_URL, patients and visits at PATIENTS_URL / VISITS_URL. */
export function createClients(config: AdminConfig, logger: Logger): AdminClients {
  const caller = new ServiceCaller(config, logger);
  return {
    provisioner: {
      async provisionAdminUser(args, requestId) {
        const data = await caller.call(
          'users',
          config.USERS_URL,
          "provision the clinic's admin",
          ProvisionAdminUserDocument,
          { ...args },
          { clinicId: args.clinicId, ...(requestId ? { requestId } : {}) },
        );
        return data.provisionAdminUser;
      },
    },
    counter: {
      async staffCount(clinicId, requestId) {
        const data = await caller.call(
          'users',
          config.USERS_URL,
          "count the clinic's staff",
          ClinicStaffCountDocument,
          {},
          { clinicId, ...(requestId ? { requestId } : {}) },
        );
        return data.clinicStaffCount;
      },
      async patientCounts(clinicId, requestId) {
        const data = await caller.call(
          'patients',
          config.PATIENTS_URL,
          "count the clinic's patients",
          ClinicPatientCountsDocument,
          {},
          { clinicId, ...(requestId ? { requestId } : {}) },
        );
        return data.clinicPatientCounts;
      },
      async visitCounts(clinicId, since, requestId) {
        const data = await caller.call(
          'visits',
          config.VISITS_URL,
          "count the clinic's visits",
          ClinicVisitCountsDocument,
          { since: since.toISOString() },
          { clinicId, ...(requestId ? { requestId } : {}) },
        );
        return data.clinicVisitCounts;
      },
    },
  };
}
