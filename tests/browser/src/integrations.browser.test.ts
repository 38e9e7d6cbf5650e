// FHIR API clients (issue 18, SMART Backend Services) in the staff app: the clinic's ADMIN registers
// another health system's client with its public keys (a JWKS) and the system scopes it may use,
// sees the client id and the token endpoint to give its integrator, cannot grant medical scopes
// without medical:read (the demo ADMIN is not a doctor), is told beside the keys' field when the
// JWKS holds a private key, and revokes the client.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { accessibilityProblems, expectCleanPages, screenshot, see, signedInAs, startBrowserEnv, type BrowserEnv } from './harness.js';

let env: BrowserEnv;

beforeAll(async () => {
  env = await startBrowserEnv({ apps: ['clinic-web'] });
});
afterAll(async () => {
  await env?.stop();
});

/** A client's key pair as its integrator has it: the public JWKS to register, and (never to register) the private key's. */
async function keyPair(): Promise<{ kid: string; publicJwks: string; privateJwks: string }> {
  const { publicKey, privateKey } = await generateKeyPair('ES384', { extractable: true });
  const kid = `lab-${randomUUID().slice(0, 8)}`;
  return {
    kid,
    publicJwks: JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES384', use: 'sig' }] }),
    privateJwks: JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid }] }),
  };
}

test('an ADMIN registers a FHIR API client, cannot grant medical scopes, is told about a private key beside its field, and revokes it', async () => {
  const adminToken = (await env.platform.login(env.platform.demo.admin.email)).token;
  const listed = async (): Promise<Array<{ id: string; name: string; revokedAt: string | null }>> =>
    (await env.platform.query('{ apiClients { id name revokedAt } }', {}, adminToken)).data!.apiClients;

  const admin = await signedInAs(env, env.platform.demo.admin.email);
  await admin.getByRole('link', { name: 'Integrations' }).click();
  await see(admin, admin.getByRole('heading', { level: 1, name: 'FHIR API clients' }));
  // the addresses the integrator needs: the gateway's token endpoint and SMART discovery document
  const base = env.platform.gatewayUrl.replace(/\/graphql$/, '');
  await see(admin, admin.getByText(`${base}/oauth/token`, { exact: true }));
  await see(admin, admin.getByText(`${base}/fhir/.well-known/smart-configuration`, { exact: true }));

  // a client that reads demographics: registered, its client id shown and listed
  const form = admin.getByRole('form', { name: 'Register an API client' });
  const lab = await keyPair();
  await form.getByLabel('Name', { exact: true }).fill('Laboratorio Central (results)');
  await form.getByLabel('Public keys (JWKS)').fill(lab.publicJwks);
  await form.getByRole('checkbox', { name: /^Patient: read and search/ }).check();
  await form.getByRole('button', { name: 'Register client' }).click();
  const clientId = (await admin.getByLabel('Client id', { exact: true }).textContent())!.trim();
  expect(clientId).not.toBe('');
  const row = admin.getByRole('row', { name: /Laboratorio Central \(results\)/ });
  await see(admin, row.getByText(clientId, { exact: true }));
  await see(admin, row.getByText('system/Patient.rs', { exact: true }));
  await see(admin, row.getByText(lab.kid, { exact: true }));
  expect((await listed()).find((c) => c.id === clientId)).toMatchObject({ name: 'Laboratorio Central (results)', revokedAt: null });

  // Observation is medical: the demo ADMIN (no medical:read) is refused, in plain words, and nothing is registered
  const before = (await listed()).length;
  const rowsBefore = await admin.locator('table tbody tr').count();
  const other = await keyPair();
  await form.getByLabel('Name', { exact: true }).fill('Laboratorio Central (observations)');
  await form.getByLabel('Public keys (JWKS)').fill(other.publicJwks);
  await form.getByRole('checkbox', { name: /^Patient: read and search/ }).check();
  await form.getByRole('checkbox', { name: /^Observation: read and search/ }).check();
  await form.getByRole('button', { name: 'Register client' }).click();
  await see(admin, form.getByRole('alert').filter({ hasText: 'Only someone who may read medical data in this clinic can grant access to medical resources' }));
  expect(await listed()).toHaveLength(before);
  expect(await admin.locator('table tbody tr').count()).toBe(rowsBefore);
  expect(await admin.getByRole('row', { name: /observations/ }).count()).toBe(0);

  // a JWKS with a private part: refused beside the keys' field (its description), nothing registered
  await form.getByRole('checkbox', { name: /^Observation: read and search/ }).uncheck();
  const jwksField = form.getByLabel('Public keys (JWKS)');
  await jwksField.fill(other.privateJwks);
  await form.getByRole('button', { name: 'Register client' }).click();
  await see(admin, form.locator('.field-error').filter({ hasText: 'holds a private part' }));
  expect(await jwksField.getAttribute('aria-invalid')).toBe('true');
  // the error is the field's own: its description, under it
  const describedBy = (await jwksField.getAttribute('aria-describedby'))!.split(' ');
  const description = await Promise.all(describedBy.map((id) => admin.locator(`[id="${id}"]`).textContent()));
  expect(description.join(' ')).toContain('holds a private part');
  expect(await listed()).toHaveLength(before);

  expect(await accessibilityProblems(admin)).toEqual([]);
  await screenshot(admin, 'integrations');

  // revoked through the dialog: marked so in the list, no revoke button left, and so in the API
  await row.getByRole('button', { name: /^Revoke/ }).click();
  await admin.getByRole('dialog').getByRole('button', { name: 'Revoke client' }).click();
  await see(admin, row.getByText(/^Revoked /));
  expect(await row.getByRole('button', { name: /^Revoke/ }).count()).toBe(0);
  await see(admin, admin.getByText('A revoked client gets no more tokens', { exact: false }));
  expect((await listed()).find((c) => c.id === clientId)?.revokedAt).toBeTruthy();
  expectCleanPages(env);
});
