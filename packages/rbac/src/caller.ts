import type { Role } from './roles.js';

/**
 * Who is calling, derived from a verified token by the service kit. Three kinds of caller
 * (DESIGN.md): staff acting in one clinic, operators (platform), and services. A staff user who
 * belongs to several clinics and has not chosen one yet is `unscoped` (good for `me` and
 * `switchClinic` only).
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
  | ({ kind: 'service'; service: string; permissions: string[]; clinicId: string | null } & TokenFacts);

export type StaffCaller = Extract<Caller, { kind: 'staff' }>;
export type UserCaller = Extract<Caller, { kind: 'staff' | 'unscoped' | 'operator' }>;

export function isUserCaller(caller: Caller): caller is UserCaller {
  return caller.kind === 'staff' || caller.kind === 'unscoped' || caller.kind === 'operator';
}

export interface CallerContext {
  caller: Caller;
}
