import { GraphQLError } from 'graphql';
import { allow, rule, shield, type IRule, type IRules } from 'graphql-shield';
import type { CallerContext } from './caller.js';
import { hasPermission } from './permissions.js';

export function forbidden(message = 'You do not have permission to do this.'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function unauthenticated(message = 'Sign in first.', reason = 'TOKEN_INVALID'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', reason } });
}

const denyAnonymous = (ctx: CallerContext) =>
  ctx.caller.kind === 'anonymous' ? unauthenticated('This operation needs a signed-in user or service.') : null;

/** Any verified caller (staff, unscoped user, operator, service). */
export const isAuthenticated: IRule = rule({ cache: 'contextual' })((_p, _a, ctx: CallerContext) => denyAnonymous(ctx) ?? true);

/** A signed-in person (staff in a clinic, a user who has not chosen a clinic yet, or an operator). */
export const isUser: IRule = rule({ cache: 'contextual' })((_p, _a, ctx: CallerContext) => {
  const anon = denyAnonymous(ctx);
  if (anon) return anon;
  return ctx.caller.kind === 'service' ? forbidden('Services cannot call this operation.') : true;
});

// graphql-shield refuses two different rule objects with one name: build each rule once.
const ruleCache = new Map<string, IRule>();
function once(name: string, build: () => IRule): IRule {
  let existing = ruleCache.get(name);
  if (!existing) {
    existing = build();
    ruleCache.set(name, existing);
  }
  return existing;
}

/** Staff acting in a clinic whose token grants `required` (e.g. `clinicult:patient:write`). */
export function can(required: string): IRule {
  return once(`can:${required}`, () => rule(`can:${required}`, { cache: 'contextual' })((_p, _a, ctx: CallerContext) => {
    const anon = denyAnonymous(ctx);
    if (anon) return anon;
    const { caller } = ctx;
    if (caller.kind === 'unscoped') return forbidden('Choose a clinic first (switchClinic).');
    // a clinic's registered client holds only what it was given (a display: display:read)
    if (caller.kind !== 'staff' && caller.kind !== 'client') return forbidden(`Only clinic staff with ${required} may do this.`);
    return hasPermission(caller.permissions, required) ? true : forbidden(`This needs the permission ${required}.`);
  }));
}

/** Platform operators only (`clinicult:platform:*`); never clinic staff. */
export function operatorCan(action: 'read' | 'write' = 'read'): IRule {
  const required = `clinicult:platform:${action}`;
  return once(`operator:${action}`, () => rule(`operator:${action}`, { cache: 'contextual' })((_p, _a, ctx: CallerContext) => {
    const anon = denyAnonymous(ctx);
    if (anon) return anon;
    const { caller } = ctx;
    if (caller.kind === 'operator' && hasPermission(caller.permissions, required)) return true;
    return forbidden('Only platform operators may do this.');
  }));
}

/** Internal operations: a service token holding exactly this capability. */
export function serviceCan(capability: string): IRule {
  return once(`service:${capability}`, () => rule(`service:${capability}`, { cache: 'contextual' })((_p, _a, ctx: CallerContext) => {
    const anon = denyAnonymous(ctx);
    if (anon) return anon;
    const { caller } = ctx;
    if (caller.kind === 'service' && caller.permissions.includes(capability)) return true;
    return forbidden('This is an internal operation for services.');
  }));
}

/**
 * The shield with the settings this project relies on (DESIGN.md, facts): deny by default with a
 * FORBIDDEN error, federation's `_service`/`_entities` reachable (their fields are ruled
 * individually), and resolver errors keep their own codes.
 */
export function buildShield(rules: IRules, options: { hasEntities?: boolean } = {}): ReturnType<typeof shield> {
  const base = rules as Record<string, unknown>;
  const query = (base.Query ?? {}) as Record<string, unknown>;
  // a subgraph without entity types has no `_entities` field, and shield refuses rules for absent fields
  const federation = options.hasEntities === false ? { _service: isAuthenticated } : { _service: isAuthenticated, _entities: isAuthenticated };
  return shield(
    {
      ...base,
      Query: { ...query, ...federation },
      _Service: allow,
    } as IRules,
    {
      fallbackRule: rule('deny-by-default', { cache: 'strict' })(() => forbidden()),
      fallbackError: () => forbidden(),
      allowExternalErrors: true,
    },
  );
}

export { allow, and, or, not, deny, rule } from 'graphql-shield';
export type { IRule, IRules } from 'graphql-shield';
