import type { ApolloClient } from '@apollo/client';
import { AcceptClinicInvitationDocument, MeDocument, SwitchClinicDocument, type AuthPayload, type Me, type Membership, type OwnInvitation } from './graphql';
import { can } from './permissions';
import { startSession, type Session } from './session';

export type SignInStep =
  | { kind: 'signed-in'; session: Session }
  /**
   * several clinics, or none yet: choose one, or accept an invitation (the token serves only `me`,
   * `switchClinic` and answering one's invitations)
   */
  | { kind: 'choose-clinic'; token: string; memberships: Membership[]; invitations: OwnInvitation[] };

export class NotStaffError extends Error {}

async function fetchMe(client: ApolloClient<object>, token: string, apiUrl: string | null): Promise<Me> {
  // a clinic's token is good only at its region's API (apiUrl); an unscoped one anywhere
  const { data, error } = await client.query({ query: MeDocument, context: { token, apiUrl }, fetchPolicy: 'network-only', errorPolicy: 'none' });
  if (error) throw error;
  if (!data.me) throw new Error('Your profile could not be loaded. Please try again.');
  return data.me;
}

/** From an AuthPayload (login, acceptInvitation, switchClinic) to a session or the clinic choice. */
export async function completeSignIn(client: ApolloClient<object>, payload: AuthPayload): Promise<SignInStep> {
  if (can(payload.permissions, 'platform:read')) {
    throw new NotStaffError('This is the clinic staff app. Platform operators sign in to the operator console.');
  }
  const me = await fetchMe(client, payload.token, payload.apiUrl ?? null);
  if (!payload.clinicId) return { kind: 'choose-clinic', token: payload.token, memberships: me.memberships, invitations: me.invitations };
  const clinic = me.memberships.find((m) => m.clinic.id === payload.clinicId);
  const session: Session = {
    token: payload.token,
    expiresAt: payload.expiresAt,
    userId: payload.user.id,
    clinicId: payload.clinicId,
    roles: payload.roles,
    permissions: payload.permissions,
    displayName: me.displayName,
    email: me.email,
    clinicName: clinic?.clinic.name ?? null,
    clinicCount: me.memberships.length,
    apiUrl: payload.apiUrl ?? null,
  };
  startSession(session);
  return { kind: 'signed-in', session };
}

/** Chooses a clinic with a token (the unscoped one after login, or the current session's). */
export async function chooseClinic(client: ApolloClient<object>, token: string, clinicId: string): Promise<SignInStep> {
  const { data } = await client.mutate({ mutation: SwitchClinicDocument, variables: { clinicId }, context: { token } });
  await client.clearStore();
  return completeSignIn(client, data!.switchClinic);
}

/** Accepts an invitation with a token (unscoped, or the current session's), then opens that clinic. */
export async function acceptAndOpen(client: ApolloClient<object>, token: string, invitation: OwnInvitation): Promise<SignInStep> {
  await client.mutate({ mutation: AcceptClinicInvitationDocument, variables: { id: invitation.id }, context: { token } });
  return chooseClinic(client, token, invitation.clinic.id);
}
