import { DateTimeScalar, type BaseContext, type SubgraphOptions } from '@clinicult/kit';
import type { AdminProvisioner } from './clients.js';
import type { Actor, ClinicRegistry, CreateClinicInput, ListClinicsArgs, UpdateClinicInput } from './domain/clinics.js';
import { encodeCursor } from './domain/cursor.js';
import { provisionClinicAdmin, type ProvisionAdminInput } from './domain/provisioning.js';
import {
  encodeTemplateCursor,
  type GlobalTemplateCatalog,
  type GlobalTemplatePage,
  type ListGlobalTemplatesArgs,
} from './domain/templates.js';
import type { Clinic } from './generated/prisma/client.js';
import type { Loaders } from './loaders.js';

/** What admin's resolvers get (kit's base context + the clinic registry and loaders). */
export interface AdminContext extends BaseContext {
  registry: ClinicRegistry;
  templates: GlobalTemplateCatalog;
  loaders: Loaders;
  provisioner: AdminProvisioner;
}

// Argument shapes, by hand from schema/admin.graphql.
interface ClinicArgs {
  id: string;
}
interface SuspendClinicArgs {
  id: string;
  reason?: string | null;
}
interface ProvisionClinicAdminArgs {
  clinicId: string;
  input: ProvisionAdminInput;
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
export const resolvers: SubgraphOptions<AdminContext>['resolvers'] = {
  DateTime: DateTimeScalar,
  Query: {
    clinic: (_root, { id }: ClinicArgs, ctx: AdminContext) => ctx.loaders.clinicById.load(id),
    clinics: async (_root, args: ListClinicsArgs, ctx: AdminContext) => connection(await ctx.registry.list(args)),
    clinicInfo: async (_root, { id }: ClinicArgs, ctx: AdminContext) => ctx.loaders.clinicById.load(id),
    globalTemplates: async (_root, args: ListGlobalTemplatesArgs, ctx: AdminContext) =>
      templateConnection(await ctx.templates.list(args)),
    globalTemplate: (_root, { id }: ClinicArgs, ctx: AdminContext) => ctx.templates.get(id),
  },
  Mutation: {
    createClinic: (_root, { input }: { input: CreateClinicInput }, ctx: AdminContext) =>
      ctx.registry.create(input, actorOf(ctx)),
    suspendClinic: (_root, { id, reason }: SuspendClinicArgs, ctx: AdminContext) =>
      ctx.registry.suspend(id, reason, actorOf(ctx)),
    reactivateClinic: (_root, { id }: ClinicArgs, ctx: AdminContext) => ctx.registry.reactivate(id, actorOf(ctx)),
    provisionClinicAdmin: (_root, { clinicId, input }: ProvisionClinicAdminArgs, ctx: AdminContext) =>
      provisionClinicAdmin(ctx, clinicId, input, actorOf(ctx)),
    updateClinic: (_root, { id, input }: { id: string; input: UpdateClinicInput }, ctx: AdminContext) =>
      ctx.registry.update(id, input, actorOf(ctx)),
    createGlobalTemplate: (_root, { input }: { input: unknown }, ctx: AdminContext) => ctx.templates.create(input, actorOf(ctx)),
    updateGlobalTemplate: (_root, { id, input }: { id: string; input: unknown }, ctx: AdminContext) =>
      ctx.templates.update(id, input, actorOf(ctx)),
    retireGlobalTemplate: (_root, { id }: ClinicArgs, ctx: AdminContext) => ctx.templates.retire(id, actorOf(ctx)),
  },
  Clinic: {
    __resolveReference: (reference: { id: string }, ctx: AdminContext) => ctx.loaders.clinicById.load(reference.id),
    // operators only (the shield): counts from users, patients and visits, one set of calls per clinic per request
    overview: (clinic: Clinic, _args: unknown, ctx: AdminContext) => ctx.loaders.overview.load(clinic),
  },
};
