import type { Organization, Practitioner } from '@medplum/fhirtypes';
import { pageInMemory, searchset } from './bundle.js';
import { clinicOf, gql, type FhirContext, type FhirResult } from './context.js';
import { notFound } from './outcome.js';
import { isId, single, type ParamTable, type SearchRequest } from './params.js';

/** The roles that make a clinic's staff member a Practitioner. */
export const CLINICAL_ROLES = ['DOCTOR', 'NURSE'];
const USER_FIELDS = 'id firstName lastName displayName email phone status memberships { clinic { id } roles }';

interface UserNode {
  id: string;
  firstName: string;
  lastName: string;
  displayName: string;
  email: string;
  phone?: string | null;
  status: string;
  memberships: Array<{ clinic: { id: string }; roles: string[] }>;
}

export const PRACTITIONER_PARAMS: ParamTable = {
  _id: { type: 'token', documentation: 'The practitioner (user) id.' },
  name: { type: 'string', documentation: 'Name or email, as the staff search matches it.' },
};
export const ORGANIZATION_PARAMS: ParamTable = {
  _id: { type: 'token', documentation: 'The clinic id.' },
  name: { type: 'string', documentation: 'Name prefix, ignoring case.' },
};

function clinicalRoles(user: UserNode, clinicId: string): string[] {
  return user.memberships.filter((m) => m.clinic.id === clinicId).flatMap((m) => m.roles).filter((r) => CLINICAL_ROLES.includes(r));
}

export function toPractitioner(user: UserNode): Practitioner {
  return {
    resourceType: 'Practitioner',
    id: user.id,
    active: user.status === 'ACTIVE',
    name: [{ use: 'official', text: user.displayName, family: user.lastName, given: [user.firstName] }],
    telecom: [{ system: 'email', value: user.email, use: 'work' }, ...(user.phone ? [{ system: 'phone' as const, value: user.phone, use: 'work' as const }] : [])],
  };
}

export async function readPractitioner(ctx: FhirContext, id: string): Promise<FhirResult> {
  const clinicId = clinicOf(ctx);
  if (!isId(id)) throw notFound('Practitioner', id);
  const data = await gql<{ user: UserNode | null }>(ctx, `query FhirPractitioner($id: ID!) { user(id: $id) { ${USER_FIELDS} } }`, { id });
  if (!data.user || clinicalRoles(data.user, clinicId).length === 0) throw notFound('Practitioner', id);
  return { body: toPractitioner(data.user) };
}

/** The clinic's doctors and nurses (staff lists are small: read whole, paged here by id). */
export async function searchPractitioners(ctx: FhirContext, search: SearchRequest): Promise<FhirResult> {
  const clinicId = clinicOf(ctx);
  const name = search.params.get('name')?.join(' ');
  const id = single(search, '_id');
  const users: UserNode[] = [];
  let after: string | null = null;
  for (let i = 0; i < 50; i++) {
    const data: any = await gql(
      ctx,
      `query FhirPractitioners($search: String, $first: Int!, $after: String) {
        users(search: $search, first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { ${USER_FIELDS} } } }
      }`,
      { search: name ?? null, first: 100, after },
    );
    users.push(...data.users.edges.map((e: { node: UserNode }) => e.node));
    if (!data.users.pageInfo.hasNextPage) break;
    after = data.users.pageInfo.endCursor;
  }
  const practitioners = users.filter((u) => clinicalRoles(u, clinicId).length > 0 && (id === undefined || u.id === id));
  const { page, next, total } = pageInMemory(practitioners, (u) => [u.id, u.id], search, false);
  return { body: searchset(ctx.base, 'Practitioner', search, { resources: page.map(toPractitioner), total, next }) };
}

interface ClinicNode {
  id: string;
  name: string;
  status: string;
  updatedAt: string;
}

export function toOrganization(clinic: ClinicNode): Organization {
  return {
    resourceType: 'Organization',
    id: clinic.id,
    meta: { lastUpdated: clinic.updatedAt },
    active: clinic.status === 'ACTIVE',
    type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }] }],
    name: clinic.name,
  };
}

async function ownClinic(ctx: FhirContext): Promise<ClinicNode> {
  const clinicId = clinicOf(ctx);
  const data = await gql<{ clinic: ClinicNode | null }>(ctx, 'query FhirOrganization($id: ID!) { clinic(id: $id) { id name status updatedAt } }', { id: clinicId });
  if (!data.clinic) throw notFound('Organization', clinicId);
  return data.clinic;
}

/** Organization: the caller's own clinic; any other clinic is not known here. */
export async function readOrganization(ctx: FhirContext, id: string): Promise<FhirResult> {
  if (id !== clinicOf(ctx)) throw notFound('Organization', id);
  return { body: toOrganization(await ownClinic(ctx)) };
}

export async function searchOrganizations(ctx: FhirContext, search: SearchRequest): Promise<FhirResult> {
  const clinic = await ownClinic(ctx);
  const id = single(search, '_id');
  const names = search.params.get('name') ?? [];
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const matches = (id === undefined || id === clinic.id) && names.every((n) => fold(clinic.name).startsWith(fold(n)));
  const resources = matches && search.count > 0 ? [toOrganization(clinic)] : [];
  return { body: searchset(ctx.base, 'Organization', search, { resources, total: matches ? 1 : 0 }) };
}
