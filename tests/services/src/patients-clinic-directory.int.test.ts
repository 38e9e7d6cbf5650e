import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { SERVICE_CAPABILITIES } from '@clinicult/rbac';
import { createTestIssuer, freePort, markSessionFactsReady } from '@clinicult/testing';
import { createClinicDirectory } from '@clinicult/patients-service';
import { startRealAdmin, type AdminUnderTest } from './patients.js';

/** A clinic's time zone from the real admin's internal clinicInfo: cached, and never failing the caller. */
let admin: AdminUnderTest;
let issuer: Awaited<ReturnType<typeof createTestIssuer>>;

beforeAll(async () => {
  await markSessionFactsReady();
  issuer = await createTestIssuer();
  admin = await startRealAdmin(issuer);
});

afterAll(async () => {
  await admin?.stop();
});

const logger = pino({ level: 'silent' });

test('asks admin once per TTL, keeps the last known zone while admin is down, falls back to UTC', async () => {
  const clinic = await admin.createClinic('Zone Clinic', 'America/Los_Angeles');
  let tokensIssued = 0;
  const tokens = {
    token: async () => {
      tokensIssued += 1;
      return issuer.serviceToken('patients', [SERVICE_CAPABILITIES.clinicRead]);
    },
  };
  const directory = createClinicDirectory({ adminUrl: admin.url, tokens, logger, ttlMs: 60_000, retryMs: 0 });
  const [first, second] = await Promise.all([directory.timeZone(clinic), directory.timeZone(clinic)]);
  expect([first, second]).toEqual(['America/Los_Angeles', 'America/Los_Angeles']);
  expect(await directory.timeZone(clinic)).toBe('America/Los_Angeles');
  expect(tokensIssued).toBe(1);
  // a clinic admin does not know
  expect(await directory.timeZone(randomUUID())).toBe('UTC');

  // a token without the capability is refused by admin: the caller still gets an answer
  const refused = createClinicDirectory({ adminUrl: admin.url, tokens: { token: () => issuer.serviceToken('gateway', []) }, logger, ttlMs: 60_000 });
  expect(await refused.timeZone(clinic)).toBe('UTC');

  // expired entry, admin unreachable: the last known zone
  const expiring = createClinicDirectory({ adminUrl: admin.url, tokens, logger, ttlMs: 1, retryMs: 0 });
  expect(await expiring.timeZone(clinic)).toBe('America/Los_Angeles');
  const down = createClinicDirectory({ adminUrl: `http://127.0.0.1:${await freePort()}`, tokens, logger, ttlMs: 1, retryMs: 0 });
  expect(await down.timeZone(clinic)).toBe('UTC');
  await admin.stop();
  await new Promise((r) => setTimeout(r, 5));
  expect(await expiring.timeZone(clinic)).toBe('America/Los_Angeles');
});
