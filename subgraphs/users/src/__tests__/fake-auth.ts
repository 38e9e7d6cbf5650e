import type { AuthClient, AuthCallContext } from '../domain/ports.js';
import { authUnavailable } from '../adapters/auth.js';

export interface AuthCall {
  method: keyof AuthClient;
  args: unknown[];
  clinicId: string | null;
}

/**
 * Records auth's remaining internal call (clearing second factors), so users' own rules can be
 * checked alone (what really reaches auth, and the mail it sends, is in auth-coupling.int.test.ts
 * and the e2e tests); `failOn` makes the next call of a method fail as if auth were down. */
export class FakeAuth implements AuthClient {
  calls: AuthCall[] = [];
  private failing = new Set<keyof AuthClient>();

  failOn(method: keyof AuthClient): void {
    this.failing.add(method);
  }

  reset(): void {
    this.calls = [];
    this.failing.clear();
  }

  private record(method: keyof AuthClient, ctx: AuthCallContext, ...args: unknown[]): void {
    if (this.failing.delete(method)) throw authUnavailable('be reached (test)', new Error('auth is down'));
    this.calls.push({ method, args, clinicId: ctx.clinicId });
  }

  async identities(): Promise<never> {
    throw new Error('FakeAuth holds no identities: reconcile is tested against the real auth (auth-coupling.int.test.ts)');
  }

  async clearSecondFactors(userId: string, ctx: AuthCallContext): Promise<void> {
    this.record('clearSecondFactors', ctx, userId);
  }
}
