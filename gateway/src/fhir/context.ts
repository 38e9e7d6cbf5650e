import type { Resource } from '@medplum/fhirtypes';
import type { Execute, FhirCaller, RunOptions } from './graphql.js';
import { run } from './graphql.js';
import { forbidden } from './outcome.js';

/** One FHIR request as the handlers see it. */
export interface FhirContext {
  who: FhirCaller;
  execute: Execute;
  /** the base URL of this server, e.g. https://clinic.example.org/fhir */
  base: string;
  lenient: boolean;
  ifMatch?: string;
  prefer?: string;
}

/** A handler's answer: a resource or bundle, its status and extra headers. */
export interface FhirResult {
  status?: number;
  body?: Resource;
  headers?: Record<string, string>;
}

export function gql<T = Record<string, any>>(ctx: FhirContext, query: string, variables: Record<string, unknown> = {}, options?: RunOptions) {
  return run<T>(ctx.execute, ctx.who, query, variables, options);
}

/** The clinic of a staff caller or a FHIR API client; anyone else (an operator, a service) has no clinic data here. */
export function clinicOf(ctx: FhirContext): string {
  const caller = ctx.who.caller;
  if (caller.kind !== 'staff' && caller.kind !== 'client') {
    throw forbidden('FHIR serves one clinic\'s data to its staff and API clients; this token acts for no clinic.');
  }
  return caller.clinicId;
}

export const ref = (type: string, id: string, display?: string | null) => ({
  reference: `${type}/${id}`,
  ...(display ? { display } : {}),
});
