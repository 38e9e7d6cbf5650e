import { GraphQLError } from 'graphql';
import type { Logger } from './logger.js';
import { callGraphQL, type TypedDocumentNode } from './service-client.js';

/**
 * Every internal call of a service to another, in one place (DESIGN.md: service tokens, every
 * internal call names its clinic): the caller's service token, one retry with a fresh token when the
 * target answers UNAUTHENTICATED (auth restarted with new keys), the target's own input errors
 * passed through, and every other failure turned into an error that names the target and says that
 * nothing was changed.
 */

/** Where a call goes: the target's name (for errors and logs) and its base URL. */
export interface ServiceTarget {
  name: string;
  url: string;
}

/** This service's bearer tokens (kit's `ServiceTokenSource`, or a test issuer's). */
export interface CallerTokens {
  token(): Promise<string>;
  /** Forget a cached token the target refused. */
  invalidate?(): void;
}

export interface ServiceCallOptions {
  /** The clinic the call acts for. */
  clinicId: string | null;
  requestId?: string;
}

/** The target's answers that describe the caller's input: they pass through (with `service` added). */
const INPUT_CODES: ReadonlySet<string> = new Set(['BAD_USER_INPUT', 'CONFLICT', 'NOT_FOUND']);

/**
 * A dependency failed, so nothing was changed. `SERVICE_UNAVAILABLE`: it could not be reached
 * (network, timeout, 5xx, no service token); `UPSTREAM_ERROR`: it answered with a refusal the caller
 * cannot fix by itself (a misconfigured service key or capability). Both are retryable once the
 * dependency is healthy.
 */
export function dependencyError(service: string, action: string, kind: 'SERVICE_UNAVAILABLE' | 'UPSTREAM_ERROR', detail: string): GraphQLError {
  const what = kind === 'SERVICE_UNAVAILABLE' ? `the ${service} service could not be reached (${detail})` : `the ${service} service refused (${detail})`;
  return new GraphQLError(`Could not ${action}: ${what}. Nothing was changed; try again shortly.`, {
    extensions: { code: kind, service },
  });
}

/** The code of a GraphQL error from another service, if any. */
export function remoteCode(error: unknown): string | undefined {
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ? `${error.message}: ${cause.code}` : error.message;
  }
  return String(error);
}

export class ServiceCaller {
  constructor(
    private readonly options: {
      /** The calling service, for logs. */
      service: string;
      tokens: CallerTokens;
      logger: Logger;
      /** Longest one call may take (ms). Default 5000. */
      timeoutMs?: number;
    },
  ) {}

  /**
   * One internal GraphQL call. `action` completes "Could not …" in the error a person may read
   * ("provision the clinic's admin").
   */
  async call<TResult, TVariables extends Record<string, unknown>>(
    target: ServiceTarget,
    action: string,
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    options: ServiceCallOptions,
  ): Promise<TResult> {
    const { tokens, logger, service } = this.options;
    const url = new URL('/graphql', target.url).toString();
    const log = { service, target: target.name, action, clinicId: options.clinicId, reqId: options.requestId };
    for (let attempt = 1; ; attempt++) {
      let token: string;
      try {
        token = await tokens.token();
      } catch (error) {
        logger.warn({ ...log, err: error }, `${service}: no service token from auth`);
        throw dependencyError(target.name, action, 'SERVICE_UNAVAILABLE', `no service token from auth: ${describe(error)}`);
      }
      try {
        return await callGraphQL(url, document, variables, {
          token,
          clinicId: options.clinicId,
          ...(options.requestId ? { requestId: options.requestId } : {}),
          timeoutMs: this.options.timeoutMs ?? 5000,
        });
      } catch (error) {
        const code = remoteCode(error);
        if (code === undefined) {
          logger.warn({ ...log, err: error }, `${service}: ${target.name} unreachable`);
          throw dependencyError(target.name, action, 'SERVICE_UNAVAILABLE', describe(error));
        }
        if (code === 'UNAUTHENTICATED' && attempt === 1) {
          tokens.invalidate?.();
          continue;
        }
        const remote = error as GraphQLError;
        if (INPUT_CODES.has(code)) throw new GraphQLError(remote.message, { extensions: { ...remote.extensions, service: target.name } });
        logger.error({ ...log, err: error, code }, `${service}: ${target.name} refused an internal call`);
        throw dependencyError(target.name, action, 'UPSTREAM_ERROR', `${code}: ${remote.message}`);
      }
    }
  }
}
