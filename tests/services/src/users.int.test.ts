import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@clinicult/events';
import type { AuditRecord } from '@clinicult/kit';
import { codes, gql } from '@clinicult/testing';
import { seedUser, startHarness, type UsersHarness } from './users.js';

/**
 * users alone over real HTTP and a real MariaDB database: auth answers nowhere (so a request that
 * would call it fails), and the identity events (memberships, statuses, invitations) are read from
 * the harness's own stream; what the real auth does with both is in tests/services
 * (users-auth-coupling.int.test.ts) and the e2e tests.
 */
let CLINIC_A: string;
let CLINIC_B: string;
let NEW_CLINIC: string;
let NEW_CLINIC_2: string;

let h: UsersHarness;
let adminA: { id: string; token: string };
let officeA: { id: string; token: string };
let adminB: { id: string; token: string };
let doctorB: { id: string; email: string };

const INVITATION_FIELDS = 'id email firstName lastName roles clinic { id } invitedByName invitedAt sentAt expiresAt acceptedAt declinedAt revokedAt';

beforeAll(async () => {
  h = await startHarness({ clinics: ['Clinic A', 'Clinic B', 'New clinic', 'Newer clinic'] });
  [CLINIC_A, CLINIC_B, NEW_CLINIC, NEW_CLINIC_2] = h.clinics as [string, string, string, string];
  const a = await seedUser(h.db, [{ clinicId: CLINIC_A, roles: ['ADMIN'] }], { lastName: 'Admin', firstName: 'Ana' });
  const o = await seedUser(h.db, [{ clinicId: CLINIC_A, roles: ['OFFICE'] }], { lastName: 'Office', firstName: 'Olga' });
  const b = await seedUser(h.db, [{ clinicId: CLINIC_B, roles: ['ADMIN'] }], { lastName: 'Boss', firstName: 'Bea' });
  const d = await seedUser(h.db, [{ clinicId: CLINIC_B, roles: ['DOCTOR'] }], { lastName: 'Doctor', firstName: 'Dan' });
  adminA = { id: a.id, token: await h.issuer.staffToken(a.id, CLINIC_A, ['ADMIN']) };
  officeA = { id: o.id, token: await h.issuer.staffToken(o.id, CLINIC_A, ['OFFICE']) };
  adminB = { id: b.id, token: await h.issuer.staffToken(b.id, CLINIC_B, ['ADMIN']) };
  doctorB = { id: d.id, email: d.email };
});

afterAll(async () => {
  await h?.close();
});


const createUser = (token: string, input: Record<string, unknown>) =>
  gql(
    h.url,
    `mutation ($input: CreateUserInput!) { createUser(input: $input) { invitation { ${INVITATION_FIELDS} } } }`,
    { input },
    { token },
  );

/** The identity events about one user (membership.changed, user.access.changed, invitation.*), as their payloads. */
const identityOf = async (userId: string, until?: (events: EventEnvelope[]) => boolean) =>
  (await h.identityEvents(until && ((all) => until(all.filter((e) => (e.payload as { userId: string }).userId === userId)))))
    .filter((e) => (e.payload as { userId: string }).userId === userId)
    .map((e) => ({ type: e.type, ...(e.payload as Record<string, unknown>) }) as { type: string } & Record<string, any>);

/** Those that change what the user may do (not invitations: an invitation grants nothing until accepted). */
const accessOf = async (userId: string) => (await identityOf(userId)).filter((e) => !e.type.startsWith('invitation.'));

/** The invitation events of one invitation (what auth mails or withdraws), oldest first; waits for `count` of them. */
const invitationEventsOf = async (invitationId: string, count = 1) => {
  const of = (all: EventEnvelope[]) => all.filter((e) => e.type.startsWith('invitation.') && (e.payload as { invitationId: string }).invitationId === invitationId);
  return of(await h.identityEvents((all) => of(all).length >= count)).map((e) => ({ type: e.type, ...(e.payload as Record<string, unknown>) }) as { type: string } & Record<string, any>);
};

/** Invitation events naming an address: none for an invitation that was refused. */
const invitationEventsTo = async (email: string) =>
  (await h.identityEvents()).filter((e) => e.type === 'invitation.sent' && (e.payload as { email: string }).email === email);

const audits = (action: string) => h.logs.filter((l) => l.audit?.action === action).map((l) => l.audit);

describe('without a token', () => {
  test('queries and mutations are UNAUTHENTICATED and return no data', async () => {
    const q = await gql(h.url, `{ users { totalCount edges { node { id email } } } }`);
    expect(codes(q)).toEqual(['UNAUTHENTICATED']);
    expect(q.data ?? null).toBeNull();
    const m = await gql(h.url, `mutation { createUser(input: { email: "x@example.org", firstName: "X", lastName: "Y", roles: [DOCTOR] }) { invitation { id } } }`);
    expect(codes(m)).toEqual(['UNAUTHENTICATED']);
    expect(m.data ?? null).toBeNull();
    const e = await gql(h.url, `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }`, {
      r: [{ __typename: 'User', id: adminA.id }],
    });
    expect(codes(e)).toEqual(['UNAUTHENTICATED']);
    expect(e.data ?? null).toBeNull();
    expect(await h.db.user.count({ where: { email: 'x@example.org' } })).toBe(0);
  });
});

describe('createUser: an invitation', () => {
  /** the user the invitation is for, from the sending that asks auth for their login and mail */
  const invitedUser = async (invitationId: string) => (await invitationEventsOf(invitationId))[0]!.userId as string;

  test('an ADMIN invites a new address: a profile nobody sees yet, a login and the invitation mail in auth, no link in the answer', async () => {
    const r = await createUser(adminA.token, {
      email: '  Nora.Nurse@Example.org ',
      firstName: ' Nora ',
      lastName: 'Nurse',
      phone: '+34 600 000 001',
      roles: ['NURSE', 'OFFICE', 'NURSE'],
    });
    expect(r.errors).toBeUndefined();
    const { invitation } = r.data!.createUser;
    expect(invitation).toMatchObject({
      email: 'nora.nurse@example.org',
      firstName: 'Nora',
      lastName: 'Nurse',
      roles: ['NURSE', 'OFFICE'],
      clinic: { id: CLINIC_A },
      invitedByName: 'Ana Admin',
      acceptedAt: null,
    });
    expect(new Date(invitation.expiresAt).getTime()).toBeGreaterThan(Date.now() + 71 * 3600_000);
    expect(JSON.stringify(r.data)).not.toMatch(/token|accept-invitation/);
    // one event has auth create the login (the address is new) and write the mail: no call, nothing to undo
    const userId = (await h.db.user.findUniqueOrThrow({ where: { email: 'nora.nurse@example.org' } })).id;
    expect(await invitationEventsOf(invitation.id)).toEqual([
      {
        type: 'invitation.sent',
        invitationId: invitation.id,
        userId,
        email: 'nora.nurse@example.org',
        clinicId: CLINIC_A,
        clinicName: 'Clinic A',
        roles: ['NURSE', 'OFFICE'],
        inviterName: 'Ana Admin',
        expiresAt: invitation.expiresAt,
        at: invitation.sentAt,
      },
    ]);
    // not a member until they accept: not listed, no membership in auth
    const listed = await gql(h.url, `{ users(search: "nora") { totalCount } }`, {}, { token: adminA.token });
    expect(listed.data!.users.totalCount).toBe(0);
    const pending = await gql(h.url, `{ invitations { id email status: roles } }`, {}, { token: adminA.token });
    expect(pending.data!.invitations.map((i: any) => i.id)).toContain(invitation.id);
    const events = await h.auditEvents((e) => e.some((x) => x.action === 'invitation.created' && x.targetUserId === userId));
    expect(events.find((x) => x.action === 'invitation.created' && x.targetUserId === userId)).toMatchObject({
      clinicId: CLINIC_A,
      actorId: adminA.id,
      details: { invitationId: invitation.id, roles: ['NURSE', 'OFFICE'] },
    });
    expect(events.some((x) => x.action === 'user.created')).toBe(false);
  });

  test("an address that already has an account gets the same answer: what the ADMIN typed, nothing of the person's profile or clinics", async () => {
    const typed = { firstName: 'Typed', lastName: 'Name', roles: ['DOCTOR'] };
    const existing = await createUser(adminA.token, { email: doctorB.email.toUpperCase(), ...typed });
    const fresh = await createUser(adminA.token, { email: `fresh-${randomUUID().slice(0, 6)}@example.org`, ...typed });
    expect(existing.errors).toBeUndefined();
    const shape = (x: any) => ({ ...x, id: '*', email: '*', invitedAt: '*', sentAt: '*', expiresAt: '*' });
    expect(shape(existing.data!.createUser.invitation)).toEqual(shape(fresh.data!.createUser.invitation));
    expect(existing.data!.createUser.invitation).toMatchObject({ email: doctorB.email, firstName: 'Typed', lastName: 'Name' });
    // the person's profile is untouched and clinic A still cannot see them
    expect((await h.db.user.findUniqueOrThrow({ where: { id: doctorB.id } })).lastName).toBe('Doctor');
    const seen = await gql(h.url, `query ($id: ID!) { user(id: $id) { id } }`, { id: doctorB.id }, { token: adminA.token });
    expect(seen.data!.user).toBeNull();
    // the membership waits for them: no access for auth to grant (only the invitation's mail), not in clinic A's list
    expect(await accessOf(doctorB.id)).toEqual([]);
    expect((await invitationEventsOf(existing.data!.createUser.invitation.id)).map((e) => [e.type, e.userId])).toEqual([['invitation.sent', doctorB.id]]);
    // inviting the same address again while the first is open is a CONFLICT pointing at it
    const again = await createUser(adminA.token, { email: doctorB.email, firstName: 'X', lastName: 'Y', roles: ['NURSE'] });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ALREADY_INVITED', invitationId: existing.data!.createUser.invitation.id });
    // the person, signed in to clinic B, accepts: now in both (the tests below rely on it)
    const token = await h.issuer.staffToken(doctorB.id, CLINIC_B, ['DOCTOR']);
    const accepted = await gql(h.url, `mutation ($id: ID!) { acceptClinicInvitation(id: $id) { roles } }`, { id: existing.data!.createUser.invitation.id }, { token });
    expect(accepted.data).toEqual({ acceptClinicInvitation: { roles: ['DOCTOR'] } });
    const me = await gql(h.url, `{ me { lastName memberships { clinic { id } roles } } }`, {}, { token });
    expect(me.data!.me.lastName).toBe('Doctor');
    expect(me.data!.me.memberships.map((m: any) => m.clinic.id).sort()).toEqual([CLINIC_A, CLINIC_B].sort());
    const again2 = await createUser(adminA.token, { email: doctorB.email, firstName: 'X', lastName: 'Y', roles: ['NURSE'] });
    expect(again2.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ALREADY_MEMBER' });
  });

  test('OFFICE gets FORBIDDEN and nothing is written', async () => {
    const r = await createUser(officeA.token, { email: 'office-made@example.org', firstName: 'A', lastName: 'B', roles: ['DOCTOR'] });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(r.data ?? null).toBeNull();
    expect(await h.db.user.count({ where: { email: 'office-made@example.org' } })).toBe(0);
    expect(await invitationEventsTo('office-made@example.org')).toEqual([]);
  });

  test.each([
    [{ email: 'not-an-email', firstName: 'A', lastName: 'B', roles: ['DOCTOR'] }, /email: not a valid address/],
    [{ email: 'empty-roles@example.org', firstName: 'A', lastName: 'B', roles: [] }, /roles: give at least one role/],
    [{ email: 'blank-name@example.org', firstName: '   ', lastName: 'B', roles: ['DOCTOR'] }, /firstName: must not be empty/],
    [{ email: 'bad-locale@example.org', firstName: 'A', lastName: 'B', locale: 'english!', roles: ['DOCTOR'] }, /locale: use a language tag/],
  ])('bad input %j is BAD_USER_INPUT with a clear message and writes nothing', async (input, message) => {
    const before = await h.db.user.count();
    const r = await createUser(adminA.token, input);
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0]!.message).toMatch(message);
    expect(await h.db.user.count()).toBe(before);
    expect(await invitationEventsTo(String(input.email).trim().toLowerCase())).toEqual([]);
  });

  test('no auth at all (none consumes the stream here): the invitation is written and its mail waits as an event; a second invitation of the address reuses the user', async () => {
    const input = { email: 'retry@example.org', firstName: 'Re', lastName: 'Try', roles: ['OFFICE'] };
    const r = await createUser(adminA.token, input);
    expect(r.errors).toBeUndefined();
    const { invitation } = r.data!.createUser;
    const user = await h.db.user.findUniqueOrThrow({ where: { email: 'retry@example.org' }, include: { memberships: true, invitations: true } });
    expect(user.memberships).toEqual([]);
    expect(user.invitations.map((i) => i.id)).toEqual([invitation.id]);
    expect(await invitedUser(invitation.id)).toBe(user.id);
    // withdrawn and invited again: the same user and the same invitation row, a newer sending
    expect((await gql(h.url, `mutation ($id: ID!) { revokeInvitation(id: $id) { id } }`, { id: invitation.id }, { token: adminA.token })).errors).toBeUndefined();
    const again = await createUser(adminA.token, input);
    expect(again.data!.createUser.invitation.id).toBe(invitation.id);
    const events = await invitationEventsOf(invitation.id, 3);
    expect(events.map((e) => [e.type, e.userId])).toEqual([['invitation.sent', user.id], ['invitation.closed', user.id], ['invitation.sent', user.id]]);
    expect(events[0]!.at < events[1]!.at && events[1]!.at < events[2]!.at).toBe(true);
  });

  test('the invitee accepts signed in: the membership starts, reaches auth, and is audited in the clinic it concerns', async () => {
    const email = `joins-${randomUUID().slice(0, 6)}@example.org`;
    const invited = await createUser(adminA.token, { email, firstName: 'Jo', lastName: 'Ins', roles: ['DOCTOR'] });
    const invitationId = invited.data!.createUser.invitation.id as string;
    const userId = await invitedUser(invitationId);
    // signed in without a clinic yet (a new account), or in another clinic: the same
    const token = await h.issuer.sign({ sub: userId, roles: [], permissions: [] });
    const mine = await gql(h.url, `{ me { invitations { id roles clinic { id } invitedByName } } }`, {}, { token });
    expect(mine.data!.me.invitations).toEqual([{ id: invitationId, roles: ['DOCTOR'], clinic: { id: CLINIC_A }, invitedByName: 'Ana Admin' }]);
    // nobody else can accept it, and another clinic's ADMIN cannot see it
    const stranger = await h.issuer.sign({ sub: randomUUID(), roles: [], permissions: [] });
    const stolen = await gql(h.url, `mutation ($id: ID!) { acceptClinicInvitation(id: $id) { roles } }`, { id: invitationId }, { token: stranger });
    expect(codes(stolen)).toEqual(['NOT_FOUND']);
    // an operator token for the same person is not one that joins clinics
    const asOperator = await gql(h.url, `mutation ($id: ID!) { acceptClinicInvitation(id: $id) { roles } }`, { id: invitationId }, {
      token: await h.issuer.operatorToken(userId as ReturnType<typeof randomUUID>),
    });
    expect(codes(asOperator)).toEqual(['FORBIDDEN']);
    const otherAdmin = await gql(h.url, `{ invitations(includeClosed: true) { id } }`, {}, { token: adminB.token });
    expect(otherAdmin.data!.invitations.map((i: any) => i.id)).not.toContain(invitationId);

    const accepted = await gql(h.url, `mutation ($id: ID!) { acceptClinicInvitation(id: $id) { clinic { id } roles } }`, { id: invitationId }, { token });
    expect(accepted.data).toEqual({ acceptClinicInvitation: { clinic: { id: CLINIC_A }, roles: ['DOCTOR'] } });
    // no call to auth: the membership goes as an identity event, which also ends the invitation's link at auth
    expect(await identityOf(userId, (e) => e.length > 1)).toEqual([
      expect.objectContaining({ type: 'invitation.sent', invitationId }),
      expect.objectContaining({ type: 'membership.changed', clinicId: CLINIC_A, roles: ['DOCTOR'], endsSessions: false, invitationId }),
    ]);
    expect((await h.db.user.findUniqueOrThrow({ where: { id: userId } })).status).toBe('ACTIVE');
    const listed = await gql(h.url, `{ users(search: "joins") { edges { node { id } } } }`, {}, { token: adminA.token });
    expect(listed.data!.users.edges).toEqual([{ node: { id: userId } }]);
    const again = await gql(h.url, `mutation ($id: ID!) { acceptClinicInvitation(id: $id) { roles } }`, { id: invitationId }, { token });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'INVITATION_CLOSED' });
    const events = await h.auditEvents((e) => e.some((x) => x.action === 'membership.added' && x.targetUserId === userId));
    expect(events.find((x) => x.action === 'invitation.accepted' && x.targetUserId === userId)).toMatchObject({ clinicId: CLINIC_A, actorId: userId });
    expect(events.find((x) => x.action === 'membership.added' && x.targetUserId === userId)).toMatchObject({
      clinicId: CLINIC_A,
      actorId: userId,
      details: { before: null, after: ['DOCTOR'] },
    });
  });

  test('decline, resend and withdraw: each closes or renews the invitation and tells auth', async () => {
    const make = async () => {
      const r = await createUser(adminA.token, { email: `cycle-${randomUUID().slice(0, 6)}@example.org`, firstName: 'Cy', lastName: 'Cle', roles: ['OFFICE'] });
      const id = r.data!.createUser.invitation.id as string;
      return { id, userId: await invitedUser(id), expiresAt: r.data!.createUser.invitation.expiresAt as string };
    };
    const first = await make();
    const token = await h.issuer.sign({ sub: first.userId, roles: [], permissions: [] });
    const declined = await gql(h.url, `mutation ($id: ID!) { declineClinicInvitation(id: $id) { declinedAt } }`, { id: first.id }, { token });
    expect(declined.data!.declineClinicInvitation.declinedAt).toEqual(expect.any(String));
    expect((await invitationEventsOf(first.id, 2)).map((e) => e.type)).toEqual(['invitation.sent', 'invitation.closed']);
    expect(codes(await gql(h.url, `mutation ($id: ID!) { resendInvitation(id: $id) { id } }`, { id: first.id }, { token: adminA.token }))).toEqual(['CONFLICT']);

    const second = await make();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const resent = await gql(h.url, `mutation ($id: ID!) { resendInvitation(id: $id) { sentAt expiresAt } }`, { id: second.id }, { token: adminA.token });
    expect(new Date(resent.data!.resendInvitation.expiresAt).getTime()).toBeGreaterThan(new Date(second.expiresAt).getTime());
    const resending = (await invitationEventsOf(second.id, 2))[1]!;
    expect(resending).toMatchObject({ type: 'invitation.sent', at: resent.data!.resendInvitation.sentAt, expiresAt: resent.data!.resendInvitation.expiresAt });
    // another clinic's ADMIN and an OFFICE of this one cannot touch it
    expect(codes(await gql(h.url, `mutation ($id: ID!) { resendInvitation(id: $id) { id } }`, { id: second.id }, { token: adminB.token }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(h.url, `mutation ($id: ID!) { revokeInvitation(id: $id) { id } }`, { id: second.id }, { token: officeA.token }))).toEqual(['FORBIDDEN']);
    const revoked = await gql(h.url, `mutation ($id: ID!) { revokeInvitation(id: $id) { revokedAt } }`, { id: second.id }, { token: adminA.token });
    expect(revoked.data!.revokeInvitation.revokedAt).toEqual(expect.any(String));
    expect((await invitationEventsOf(second.id, 3))[2]).toMatchObject({ type: 'invitation.closed', clinicId: CLINIC_A, at: revoked.data!.revokeInvitation.revokedAt });
    // the refused attempts above wrote nothing
    expect(await invitationEventsOf(second.id)).toHaveLength(3);
    const accept = await gql(h.url, `mutation ($id: ID!) { acceptClinicInvitation(id: $id) { roles } }`, { id: second.id }, {
      token: await h.issuer.sign({ sub: second.userId, roles: [], permissions: [] }),
    });
    expect(codes(accept)).toEqual(['CONFLICT']);
  });
});

describe('tenants: clinic A cannot see or change clinic B', () => {
  test('user(id), users(search) and _entities hide B’s users', async () => {
    const one = await gql(h.url, `query ($id: ID!) { user(id: $id) { id } }`, { id: adminB.id }, { token: adminA.token });
    expect(one.errors).toBeUndefined();
    expect(one.data!.user).toBeNull();
    const list = await gql(h.url, `{ users(search: "Boss") { totalCount edges { node { id } } } }`, {}, { token: adminA.token });
    expect(list.data!.users).toEqual({ totalCount: 0, edges: [] });
    const refs = await gql(
      h.url,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }`,
      { r: [{ __typename: 'User', id: adminB.id }, { __typename: 'User', id: officeA.id }] },
      { token: adminA.token },
    );
    expect(refs.errors).toBeUndefined();
    expect(refs.data!._entities).toEqual([null, { id: officeA.id, email: expect.any(String) }]);
  });

  test('another clinic’s memberships are not shown to A', async () => {
    // doctorB joined clinic A above; A's ADMIN sees only the A membership
    const r = await gql(h.url, `query ($id: ID!) { user(id: $id) { memberships { clinic { id } roles } } }`, { id: doctorB.id }, { token: adminA.token });
    expect(r.data!.user.memberships).toEqual([{ clinic: { id: CLINIC_A }, roles: ['DOCTOR'] }]);
  });

  test.each([
    ['setMembership', `mutation ($id: ID!) { setMembership(userId: $id, roles: [OFFICE]) { id } }`],
    ['removeMembership', `mutation ($id: ID!) { removeMembership(userId: $id) { id } }`],
    ['deactivateUser', `mutation ($id: ID!) { deactivateUser(id: $id) { id } }`],
    ['reactivateUser', `mutation ($id: ID!) { reactivateUser(id: $id) { id } }`],
    ['updateUser', `mutation ($id: ID!) { updateUser(id: $id, input: { firstName: "Hacked" }) { id } }`],
  ])('%s on B’s user is NOT_FOUND and changes nothing', async (_name, mutation) => {
    const r = await gql(h.url, mutation, { id: adminB.id }, { token: adminA.token });
    expect(codes(r)).toEqual(['NOT_FOUND']);
    expect(r.errors![0]!.message).toBe(`No user with id ${adminB.id} belongs to this clinic.`);
    const b = await h.db.user.findUniqueOrThrow({ where: { id: adminB.id }, include: { memberships: true } });
    expect(b).toMatchObject({ firstName: 'Bea', status: 'ACTIVE', memberships: [{ clinicId: CLINIC_B, roles: ['ADMIN'] }] });
  });
});

describe('roles and memberships', () => {
  test('an ADMIN cannot change their own roles, remove or deactivate themselves', async () => {
    for (const mutation of [
      `mutation ($id: ID!) { setMembership(userId: $id, roles: [DOCTOR]) { id } }`,
      `mutation ($id: ID!) { removeMembership(userId: $id) { id } }`,
      `mutation ($id: ID!) { deactivateUser(id: $id) { id } }`,
    ]) {
      const r = await gql(h.url, mutation, { id: adminA.id }, { token: adminA.token });
      expect(codes(r)).toEqual(['FORBIDDEN']);
    }
    const own = await gql(h.url, `mutation ($id: ID!) { setMembership(userId: $id, roles: [DOCTOR]) { id } }`, { id: adminA.id }, { token: adminA.token });
    expect(own.errors![0]!.message).toMatch(/Nobody can change their own roles/);
    expect((await h.db.membership.findFirstOrThrow({ where: { userId: adminA.id } })).roles).toEqual(['ADMIN']);
  });

  test('setMembership: unknown user NOT_FOUND, empty roles BAD_USER_INPUT, a change reaches auth and the audit log', async () => {
    const unknown = await gql(h.url, `mutation { setMembership(userId: "no-such-user", roles: [DOCTOR]) { id } }`, {}, { token: adminA.token });
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
    const empty = await gql(h.url, `mutation ($id: ID!) { setMembership(userId: $id, roles: []) { id } }`, { id: officeA.id }, { token: adminA.token });
    expect(codes(empty)).toEqual(['BAD_USER_INPUT']);
    expect(empty.errors![0]!.message).toMatch(/roles: give at least one role/);

    const ok = await gql(
      h.url,
      `mutation ($id: ID!) { setMembership(userId: $id, roles: [OFFICE, DOCTOR]) { id memberships { roles } } }`,
      { id: officeA.id },
      { token: adminA.token },
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.setMembership.memberships).toEqual([{ roles: ['DOCTOR', 'OFFICE'] }]);
    expect(await identityOf(officeA.id, (e) => e.length > 0)).toEqual([
      expect.objectContaining({ type: 'membership.changed', clinicId: CLINIC_A, roles: ['DOCTOR', 'OFFICE'], endsSessions: true, invitationId: null }),
    ]);
    expect(audits('membership.changed').at(-1)).toMatchObject({ targetUserId: officeA.id, before: ['OFFICE'], after: ['DOCTOR', 'OFFICE'] });
    // and onto the event bus for the audit service, with who, the clinic and the request
    const changed = (e: AuditRecord) => e.action === 'membership.changed' && e.targetUserId === officeA.id;
    const published = (await h.auditEvents((all) => all.some(changed))).filter(changed);
    expect(published).toEqual([
      expect.objectContaining({
        clinicId: CLINIC_A,
        actorId: adminA.id,
        actorKind: 'staff',
        service: 'users',
        api: 'graphql',
        requestId: ok.headers.get('x-request-id'),
        details: { before: ['OFFICE'], after: ['DOCTOR', 'OFFICE'] },
      }),
    ]);
  });

  test('a role change needs no auth: it is stored with its identity event in one transaction (no auth runs here)', async () => {
    const r = await gql(h.url, `mutation ($id: ID!) { setMembership(userId: $id, roles: [NURSE]) { id } }`, { id: officeA.id }, { token: adminA.token });
    expect(r.errors).toBeUndefined();
    expect((await h.db.membership.findFirstOrThrow({ where: { userId: officeA.id } })).roles).toEqual(['NURSE']);
    const events = await identityOf(officeA.id, (e) => e.length >= 2);
    expect(events.at(-1)).toMatchObject({ type: 'membership.changed', roles: ['NURSE'], endsSessions: true });
    // users' own facts consumer merged the cut-off: the token from before the change is refused here too
    let stale = await gql(h.url, `{ me { id } }`, {}, { token: officeA.token });
    for (let i = 0; i < 30 && !stale.errors; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stale = await gql(h.url, `{ me { id } }`, {}, { token: officeA.token });
    }
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    // (a fresh session for the tests below)
    officeA.token = await h.issuer.staffToken(officeA.id, CLINIC_A, ['OFFICE']);
  });

  test('concurrent role changes reach auth in the order they are stored', async () => {
    // roles none of the changes sets: each change is a change whichever runs first (setting the roles a
    // membership already has writes no event, so a seed among the choices made the count depend on the order)
    const target = await seedUser(h.db, [{ clinicId: CLINIC_A, roles: ['DOCTOR', 'OFFICE'] }]);
    const choices = [['DOCTOR'], ['NURSE'], ['OFFICE'], ['DOCTOR', 'NURSE'], ['NURSE', 'OFFICE'], ['ADMIN']];
    const results = await Promise.all(
      choices.map((roles) =>
        gql(h.url, `mutation ($id: ID!, $roles: [Role!]!) { setMembership(userId: $id, roles: $roles) { id } }`, { id: target.id, roles }, { token: adminA.token }),
      ),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const stored = (await h.db.membership.findFirstOrThrow({ where: { userId: target.id } })).roles;
    // the user's row lock orders the transactions, so the stream holds them in commit order
    const events = await identityOf(target.id, (e) => e.length === choices.length);
    expect(events).toHaveLength(choices.length);
    expect(events.at(-1)!.roles).toEqual(stored);
    const instants = events.map((e) => Date.parse(e.at as string));
    expect(instants).toEqual([...instants].sort((a, b) => a - b));
  });

  test('deactivation: refused for a user who also works elsewhere; removeMembership keeps the other clinic', async () => {
    const refused = await gql(h.url, `mutation ($id: ID!) { deactivateUser(id: $id) { id } }`, { id: doctorB.id }, { token: adminA.token });
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors![0]!.message).toMatch(/also works in 1 other clinic.*use removeMembership instead/);
    expect((await h.db.user.findUniqueOrThrow({ where: { id: doctorB.id } })).status).toBe('ACTIVE');

    const removed = await gql(h.url, `mutation ($id: ID!) { removeMembership(userId: $id) { id memberships { clinic { id } } } }`, { id: doctorB.id }, { token: adminA.token });
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.removeMembership.memberships).toEqual([]);
    expect(await h.db.membership.findMany({ where: { userId: doctorB.id }, select: { clinicId: true } })).toEqual([{ clinicId: CLINIC_B }]);
    expect((await identityOf(doctorB.id, (e) => e.some((x) => (x.payload as { roles: string[] }).roles.length === 0))).at(-1)).toMatchObject({
      type: 'membership.changed',
      clinicId: CLINIC_A,
      roles: [],
      endsSessions: true,
    });
  });

  test('deactivate and reactivate a user of this clinic alone', async () => {
    const target = await seedUser(h.db, [{ clinicId: CLINIC_A, roles: ['NURSE'] }]);
    const off = await gql(h.url, `mutation ($id: ID!) { deactivateUser(id: $id) { status } }`, { id: target.id }, { token: adminA.token });
    expect(off.data!.deactivateUser.status).toBe('DEACTIVATED');
    const on = await gql(h.url, `mutation ($id: ID!) { reactivateUser(id: $id) { status } }`, { id: target.id }, { token: adminA.token });
    expect(on.data!.reactivateUser.status).toBe('ACTIVE');
    expect((await identityOf(target.id, (e) => e.length >= 2)).map((e) => [e.type, e.active])).toEqual([
      ['user.access.changed', false],
      ['user.access.changed', true],
    ]);
    expect(audits('user.deactivated').at(-1)).toMatchObject({ targetUserId: target.id, clinicId: CLINIC_A });
    const about = (events: AuditRecord[]) => events.filter((e) => e.targetUserId === target.id);
    const published = about(await h.auditEvents((all) => about(all).length >= 2)).map((e) => e.action);
    expect(published).toEqual(['user.deactivated', 'user.reactivated']);
  });
});

describe('resetSecondFactors (a lost phone)', () => {
  // what the reset does in auth (factors gone, sessions ended): users-auth-coupling.int.test.ts in tests/services
  test('an ADMIN may reset someone of this clinic alone; never their own, nor of someone who works elsewhere (refused before auth is asked)', async () => {
    const lone = await seedUser(h.db, [{ clinicId: CLINIC_A, roles: ['NURSE'] }]);
    const both = await seedUser(h.db, [{ clinicId: CLINIC_A, roles: ['NURSE'] }, { clinicId: CLINIC_B, roles: ['NURSE'] }]);
    const RESET = `mutation ($id: ID!) { resetSecondFactors(id: $id) { id } }`;
    expect(codes(await gql(h.url, RESET, { id: both.id }, { token: adminA.token }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(h.url, RESET, { id: adminA.id }, { token: adminA.token }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(h.url, RESET, { id: lone.id }, { token: officeA.token }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(h.url, RESET, { id: doctorB.id }, { token: adminA.token }))).toEqual(['NOT_FOUND']);
    // the one allowed reset reaches for auth, which cannot be reached here: nothing happened, nothing is audited
    const down = await gql(h.url, RESET, { id: lone.id }, { token: adminA.token });
    expect(codes(down)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(down.errors![0]!.extensions).toMatchObject({ service: 'auth' });
    expect(down.errors![0]!.message).toMatch(/^Could not remove the second factors: the auth service could not be reached .*Nothing was changed/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await h.auditEvents()).filter((x) => x.action === 'user.second_factors_reset')).toEqual([]);
  });
});

describe('updateUser', () => {
  test('oneself edits name, phone and locale; a non-ADMIN cannot edit others; an ADMIN can', async () => {
    const officeToken = officeA.token;
    const self = await gql(
      h.url,
      `mutation ($id: ID!) { updateUser(id: $id, input: { firstName: " Olgа ", phone: "", locale: "es-ES" }) { firstName phone locale } }`,
      { id: officeA.id },
      { token: officeToken },
    );
    expect(self.errors).toBeUndefined();
    expect(self.data!.updateUser).toEqual({ firstName: 'Olgа', phone: null, locale: 'es-ES' });
    const other = await gql(h.url, `mutation ($id: ID!) { updateUser(id: $id, input: { lastName: "X" }) { id } }`, { id: adminA.id }, { token: officeToken });
    expect(codes(other)).toEqual(['FORBIDDEN']);
    const byAdmin = await gql(h.url, `mutation ($id: ID!) { updateUser(id: $id, input: { lastName: "Office" }) { lastName } }`, { id: officeA.id }, { token: adminA.token });
    expect(byAdmin.data!.updateUser.lastName).toBe('Office');
    const nothing = await gql(h.url, `mutation ($id: ID!) { updateUser(id: $id, input: {}) { id } }`, { id: officeA.id }, { token: adminA.token });
    expect(codes(nothing)).toEqual(['BAD_USER_INPUT']);
    // null: back to the clinic's default language (issue 17)
    const back = await gql(h.url, `mutation ($id: ID!) { updateUser(id: $id, input: { locale: null }) { locale firstName } }`, { id: officeA.id }, { token: officeToken });
    expect(back.data!.updateUser).toEqual({ locale: null, firstName: 'Olgа' });
  });

  test("an ADMIN cannot edit the profile of someone who also works in another clinic (it is theirs); they still can", async () => {
    const both = await seedUser(h.db, [{ clinicId: CLINIC_A, roles: ['DOCTOR'] }, { clinicId: CLINIC_B, roles: ['DOCTOR'] }], { firstName: 'Dana' });
    const hijack = await gql(h.url, `mutation ($id: ID!) { updateUser(id: $id, input: { firstName: "Hijacked", phone: "+1 555 0100" }) { id } }`, { id: both.id }, { token: adminA.token });
    expect(codes(hijack)).toEqual(['FORBIDDEN']);
    expect(hijack.errors![0]!.message).toMatch(/also works in another clinic/);
    expect(await h.db.user.findUniqueOrThrow({ where: { id: both.id } })).toMatchObject({ firstName: 'Dana', phone: null });
    const token = await h.issuer.staffToken(both.id, CLINIC_A, ['DOCTOR']);
    const own = await gql(h.url, `mutation ($id: ID!) { updateUser(id: $id, input: { phone: "+34 600 111 222" }) { phone } }`, { id: both.id }, { token });
    expect(own.data!.updateUser.phone).toBe('+34 600 111 222');
  });
});

describe('users: search and pagination', () => {
  const clinic = randomUUID();
  let token: string;
  beforeAll(async () => {
    const admin = await seedUser(h.db, [{ clinicId: clinic, roles: ['ADMIN'] }], { lastName: 'Zed', firstName: 'Zoe', email: 'zoe@zed.example' });
    token = await h.issuer.staffToken(admin.id, clinic, ['ADMIN']);
    for (const [firstName, lastName, email] of [
      ['María', 'García', 'maria@garcia.example'],
      ['Mario', 'García', 'mario@garcia.example'],
      ['Ana', 'garcía', 'ana@x.example'],
      ['Pablo', 'Pérez', 'pablo@perez.example'],
      ['Percy', 'Lee', 'percy_lee@x.example'],
      ['Luis', 'Moreno', 'luis@moreno.example'],
    ]) {
      await seedUser(h.db, [{ clinicId: clinic, roles: ['DOCTOR'] }], { firstName, lastName, email });
    }
    await seedUser(h.db, [{ clinicId: CLINIC_B, roles: ['DOCTOR'] }], { firstName: 'Gary', lastName: 'García', email: 'gary@other.example' });
  });

  const list = async (args: string) => {
    const r = await gql(h.url, `{ users(${args}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { firstName lastName } } } }`, {}, { token });
    expect(r.errors).toBeUndefined();
    return r.data!.users;
  };

  test('pages in a stable order (lastName, firstName, id) without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: any = await list(`first: 3${after ? `, after: "${after}"` : ''}`);
      expect(page.totalCount).toBe(7);
      seen.push(...page.edges.map((e: any) => `${e.node.lastName} ${e.node.firstName}`));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    // utf8mb4_unicode_ci: case- and accent-insensitive, so garcía = García and firstName decides
    expect(seen).toEqual(['garcía Ana', 'García María', 'García Mario', 'Lee Percy', 'Moreno Luis', 'Pérez Pablo', 'Zed Zoe']);
  });

  test('search by name or email prefix, case-insensitive, only this clinic', async () => {
    expect((await list('search: "garc"')).totalCount).toBe(3);
    expect((await list('search: "GARCIA mar"')).edges.map((e: any) => e.node.firstName)).toEqual(['María', 'Mario']);
    expect((await list('search: "pablo@"')).edges.map((e: any) => e.node.firstName)).toEqual(['Pablo']);
    expect((await list('search: "ercy"')).totalCount).toBe(0);
    // LIKE wildcards are literal
    expect((await list('search: "%"')).totalCount).toBe(0);
    expect((await list('search: "percy_"')).totalCount).toBe(1);
    expect((await list('search: "p_"')).totalCount).toBe(0);
  });

  test('bad paging arguments are BAD_USER_INPUT', async () => {
    const r = await gql(h.url, `{ users(after: "garbage") { totalCount } }`, {}, { token });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    const big = await gql(h.url, `{ users(first: 1000) { totalCount } }`, {}, { token });
    expect(codes(big)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('entity references', () => {
  test('_entities for 30 users runs one SQL query', async () => {
    const clinic = randomUUID();
    const users = [];
    for (let i = 0; i < 30; i++) users.push(await seedUser(h.db, [{ clinicId: clinic, roles: ['NURSE'] }]));
    const token = await h.issuer.staffToken(users[0]!.id, clinic, ['NURSE']);
    h.queries.length = 0;
    const r = await gql(
      h.url,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName status } } }`,
      { r: users.map((u) => ({ __typename: 'User', id: u.id })) },
      { token },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!._entities.map((u: any) => u.id)).toEqual(users.map((u) => u.id));
    expect(h.queries).toHaveLength(1);
  });

  test('users with memberships: three queries for a page, whatever its size', async () => {
    const clinic = randomUUID();
    const users = [];
    for (let i = 0; i < 25; i++) users.push(await seedUser(h.db, [{ clinicId: clinic, roles: ['OFFICE'] }]));
    const token = await h.issuer.staffToken(users[0]!.id, clinic, ['OFFICE']);
    h.queries.length = 0;
    const r = await gql(h.url, `{ users(first: 25) { totalCount edges { node { id memberships { roles } } } } }`, {}, { token });
    expect(r.errors).toBeUndefined();
    expect(r.data!.users.edges).toHaveLength(25);
    expect(h.queries).toHaveLength(3); // page, count, memberships
  });

  test('a service naming a clinic resolves that clinic’s users only', async () => {
    const token = await h.issuer.serviceToken('admin');
    const r = await gql(
      h.url,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }`,
      { r: [{ __typename: 'User', id: adminA.id }, { __typename: 'User', id: adminB.id }] },
      { token, headers: { 'x-clinicult-clinic-id': CLINIC_B } },
    );
    expect(r.data!._entities).toEqual([null, { id: adminB.id }]);
  });
});

describe('callers without a clinic', () => {
  test('an unscoped user reads me (memberships list the clinics to choose from) and nothing else', async () => {
    const multi = await seedUser(h.db, [
      { clinicId: CLINIC_A, roles: ['NURSE'] },
      { clinicId: CLINIC_B, roles: ['DOCTOR'] },
    ]);
    const token = await h.issuer.sign({ sub: multi.id, roles: [], permissions: [] });
    const me = await gql(h.url, `{ me { id memberships { clinic { id } roles } } }`, {}, { token });
    expect(me.errors).toBeUndefined();
    expect(me.data!.me.memberships).toHaveLength(2);
    const users = await gql(h.url, `{ users { totalCount } }`, {}, { token });
    expect(codes(users)).toEqual(['FORBIDDEN']);
    const other = await gql(h.url, `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }`, { r: [{ __typename: 'User', id: adminA.id }] }, { token });
    expect(other.data!._entities).toEqual([null]);
  });

  test('an operator reads me only', async () => {
    const op = await seedUser(h.db, []);
    const token = await h.issuer.operatorToken(op.id as ReturnType<typeof randomUUID>);
    const me = await gql(h.url, `{ me { id status memberships { roles } } }`, {}, { token });
    expect(me.data!.me).toEqual({ id: op.id, status: 'ACTIVE', memberships: [] });
    expect(codes(await gql(h.url, `{ users { totalCount } }`, {}, { token }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(h.url, `query ($id: ID!) { user(id: $id) { id } }`, { id: adminA.id }, { token }))).toEqual(['FORBIDDEN']);
  });
});

describe('provisionAdminUser (internal, for admin)', () => {
  const OPERATOR = randomUUID();
  const provision = (token: string, vars: Record<string, unknown>, clinicHeader?: string) =>
    gql(
      h.url,
      `mutation ($clinicId: ID!, $email: String!, $firstName: String!, $lastName: String!, $by: ID!) {
        provisionAdminUser(clinicId: $clinicId, email: $email, firstName: $firstName, lastName: $lastName, invitedBy: $by) {
          id email roles clinic { id } expiresAt
        }
      }`,
      { by: OPERATOR, ...vars },
      { token, ...(clinicHeader ? { headers: { 'x-clinicult-clinic-id': clinicHeader } } : {}) },
    );

  test('invites the first ADMIN (no link in the answer); repeating while it is open is a CONFLICT, resend renews it', async () => {
    const token = await h.issuer.serviceToken('admin');
    const vars = { clinicId: NEW_CLINIC, email: 'first.admin@new.example', firstName: 'First', lastName: 'Admin' };
    const r = await provision(token, vars, NEW_CLINIC);
    expect(r.errors).toBeUndefined();
    const inv = r.data!.provisionAdminUser;
    expect(inv).toMatchObject({ email: 'first.admin@new.example', roles: ['ADMIN'], clinic: { id: NEW_CLINIC } });
    expect(JSON.stringify(r.data)).not.toMatch(/token/);
    expect(await invitationEventsOf(inv.id)).toEqual([
      expect.objectContaining({ type: 'invitation.sent', email: 'first.admin@new.example', clinicId: NEW_CLINIC, roles: ['ADMIN'] }),
    ]);
    const again = await provision(token, vars, NEW_CLINIC);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ALREADY_INVITED', invitationId: inv.id });
    // the operator follows their invitation (and only theirs) and may resend it
    const operator = await h.issuer.operatorToken(OPERATOR);
    const listed = await gql(h.url, `query ($c: ID) { invitations(clinicId: $c) { id email } }`, { c: NEW_CLINIC }, { token: operator });
    expect(listed.data!.invitations).toEqual([{ id: inv.id, email: 'first.admin@new.example' }]);
    const resent = await gql(h.url, `mutation ($id: ID!) { resendInvitation(id: $id) { id } }`, { id: inv.id }, { token: operator });
    expect(resent.errors).toBeUndefined();
  });

  test("once the clinic has an active ADMIN, operators can no longer invite or resend: the clinic's ADMINs do", async () => {
    const token = await h.issuer.serviceToken('admin');
    // CLINIC_A has an active ADMIN (Ana)
    const refused = await provision(token, { clinicId: CLINIC_A, email: 'mallory@attacker.example', firstName: 'Mal', lastName: 'Lory' }, CLINIC_A);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ACTIVE_ADMIN_EXISTS' });
    expect(await h.db.user.count({ where: { email: 'mallory@attacker.example' } })).toBe(0);
    expect(await invitationEventsTo('mallory@attacker.example')).toEqual([]);
    // the operator's earlier invitation to a clinic that meanwhile got an ADMIN can no longer be resent
    const clinic = randomUUID();
    const directory = h.service.db; // same database: seed an accepted ADMIN after the invitation
    const inv = await provision(token, { clinicId: NEW_CLINIC_2, email: 'late@new.example', firstName: 'La', lastName: 'Te' }, NEW_CLINIC_2);
    await seedUser(directory, [{ clinicId: NEW_CLINIC_2, roles: ['ADMIN'] }]);
    const operator = await h.issuer.operatorToken(OPERATOR);
    const resend = await gql(h.url, `mutation ($id: ID!) { resendInvitation(id: $id) { id } }`, { id: inv.data!.provisionAdminUser.id }, { token: operator });
    expect(resend.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ACTIVE_ADMIN_EXISTS' });
    // and operators never see a clinic's staff invitations
    const staffInvite = await createUser(adminA.token, { email: `hidden-${clinic.slice(0, 6)}@example.org`, firstName: 'H', lastName: 'I', roles: ['NURSE'] });
    const seen = await gql(h.url, `query ($c: ID) { invitations(clinicId: $c, includeClosed: true) { id } }`, { c: CLINIC_A }, { token: operator });
    expect(seen.data!.invitations.map((i: any) => i.id)).not.toContain(staffInvite.data!.createUser.invitation.id);
  });

  test('unknown clinic is BAD_USER_INPUT; staff tokens and other services are FORBIDDEN', async () => {
    const token = await h.issuer.serviceToken('admin');
    const unknownClinic = randomUUID();
    const unknown = await provision(token, { clinicId: unknownClinic, email: 'x@new.example', firstName: 'X', lastName: 'Y' }, unknownClinic);
    expect(codes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(unknown.errors![0]!.message).toMatch(/There is no clinic .*create it in admin first/);
    const staff = await provision(adminA.token, { clinicId: NEW_CLINIC, email: 'y@new.example', firstName: 'X', lastName: 'Y' });
    expect(codes(staff)).toEqual(['FORBIDDEN']);
    const wrongService = await provision(await h.issuer.serviceToken('gateway'), { clinicId: NEW_CLINIC, email: 'y@new.example', firstName: 'X', lastName: 'Y' });
    expect(codes(wrongService)).toEqual(['FORBIDDEN']);
  });
});
