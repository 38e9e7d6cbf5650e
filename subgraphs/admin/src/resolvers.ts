import { DateTimeScalar, type BaseContext } from '@clinicult/kit';
import type { AdminProvisioner } from './domain/ports.js';
import type { Actor, ClinicRegistry } from './domain/clinics.js';
import { encodeCursor } from './domain/cursor.js';
import { provisionClinicAdmin } from './domain/provisioning.js';
import {
  encodeTemplateCursor,
  type GlobalTemplateCatalog,
  type GlobalTemplatePage,
} from './domain/templates.js';
import type { Clinic } from './generated/prisma/client.js';
import type { Loaders } from './loaders.js';
import type { Resolvers } from './__generated__/resolvers.js';

/** What admin's resolvers get (kit's base context + the clinic registry and loaders). */
export interface AdminContext extends BaseContext {
  registry: ClinicRegistry;
  templates: GlobalTemplateCatalog;
  loaders: Loaders;
  provisioner: AdminProvisioner;
}

function actorOf(ctx: AdminContext): Actor {
  const { caller } = ctx;
  const userId = caller.kind === 'operator' || caller.kind === 'staff' || caller.kind === 'unscoped' ? caller.userId : null;
  return { userId, requestId: ctx.requestId };
}

function connection(page: { clinics: Clinic[]; hasNextPage: boolean; totalCount: number }) {
  const edges = page.clinics.map((node) => ({ cursor: encodeCursor(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: page.totalCount,
  };
}

function templateConnection(page: GlobalTemplatePage) {
  const edges = page.templates.map((node) => ({ cursor: encodeTemplateCursor(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: page.totalCount,
  };
}

/** Thin resolvers: parse arguments, call the domain layer; rules are in permissions.ts. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    clinic: (_root, { id }, ctx) => ctx.loaders.clinicById.load(id),
    clinics: async (_root, args, ctx) => connection(await ctx.registry.list(args)),
    clinicInfo: async (_root, { id }, ctx) => ctx.loaders.clinicById.load(id),
    globalTemplates: async (_root, args, ctx) =>
      templateConnection(await ctx.templates.list(args)),
    globalTemplate: (_root, { id }, ctx) => ctx.templates.get(id),
  },
  Mutation: {
    createClinic: (_root, { input }, ctx) =>
      ctx.registry.create(input, actorOf(ctx)),
    suspendClinic: (_root, { id, reason }, ctx) =>
      ctx.registry.suspend(id, reason, actorOf(ctx)),
    reactivateClinic: (_root, { id }, ctx) => ctx.registry.reactivate(id, actorOf(ctx)),
    provisionClinicAdmin: (_root, { clinicId, input }, ctx) =>
      provisionClinicAdmin(ctx, clinicId, input, actorOf(ctx)),
    updateClinic: (_root, { id, input }, ctx) =>
      ctx.registry.update(id, input, actorOf(ctx)),
    createGlobalTemplate: (_root, { input }, ctx) => ctx.templates.create(input, actorOf(ctx)),
    updateGlobalTemplate: (_root, { id, input }, ctx) =>
      ctx.templates.update(id, input, actorOf(ctx)),
    retireGlobalTemplate: (_root, { id }, ctx) => ctx.templates.retire(id, actorOf(ctx)),
  },
  Clinic: {
    __resolveReference: (reference, ctx) => ctx.loaders.clinicById.load(reference.id),
    // operators only (the shield): counts from users, patients and visits, one set of calls per clinic per request
    overview: (clinic, _args, ctx) => ctx.loaders.overview.load(clinic),
  },
};
