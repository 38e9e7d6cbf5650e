import type { Role } from './roles.js';

/**
 * Who is calling, derived from a verified token by the service kit. Three kinds of caller
 * (DESIGN.md): staff acting in one clinic, operators (platform), and services. A staff user who
 * belongs to several clinics and has not chosen one yet is `unscoped` (good for `me` and
 * `switchClinic` only). A `client` is a device or program a clinic's ADMIN registered (issue 17:
 * a waiting-room display) acting for that clinic with only the permissions it was given; it is
 * nobody's session and acts as no user.
 */
export interface TokenFacts {
  token: string;
  jti: string;
  issuedAt: Date;
  expiresAt: Date;
  /** whether the sign-in behind the token gave a second factor (`amr` contains `mfa`) */
  mfa: boolean;
}

export type Caller =
  | { kind: 'anonymous' }
  | ({
      kind: 'staff';
      userId: string;
      clinicId: string;
      /** the cluster (region) serving the clinic, as the token names it (`cl`); null in tokens from before regions */
      cluster?: string | null;
      roles: Role[];
      permissions: string[];
    } & TokenFacts)
  | ({ kind: 'unscoped'; userId: string; roles: []; permissions: [] } & TokenFacts)
  | ({ kind: 'operator'; userId: string; roles: Role[]; permissions: string[] } & TokenFacts)
  | ({ kind: 'service'; service: string; permissions: string[]; clinicId: string | null } & TokenFacts)
  | ({
      kind: 'client';
      /** the registered client's id (the token's `clt`; `sub` is `client:<id>`) */
      clientId: string;
      clinicId: string;
      cluster?: string | null;
      permissions: string[];
      /** a FHIR API client's SMART scopes (the token's `scope`), e.g. ['system/Patient.rs']; none for a display */
      scopes?: string[];
    } & TokenFacts);

export type StaffCaller = Extract<Caller, { kind: 'staff' }>;
export type ClientCaller = Extract<Caller, { kind: 'client' }>;

/** The subject whose facts (revocation, deactivation) a session check reads: a user, or `client:<id>`. */
export function subjectOf(caller: Exclude<Caller, { kind: 'anonymous' | 'service' }>): string {
  return caller.kind === 'client' ? clientSubject(caller.clientId) : caller.userId;
}

export function clientSubject(clientId: string): string {
  return `client:${clientId}`;
}
export type UserCaller = Extract<Caller, { kind: 'staff' | 'unscoped' | 'operator' }>;

export function isUserCaller(caller: Caller): caller is UserCaller {
  return caller.kind === 'staff' || caller.kind === 'unscoped' || caller.kind === 'operator';
}

export interface CallerContext {
  caller: Caller;
}
