import { ConfigError } from '@clinicult/kit';
import { loadAdminConfig } from './config.js';

test('defaults: port 4006, the admin database, users/patients/visits on 4002/4003/4004, clusters eu-1 and us-1', () => {
  const config = loadAdminConfig({});
  expect(config.PORT).toBe(4006);
  expect(config.DATABASE_URL).toBe('mysql://root@127.0.0.1:3306/clinicult_admin');
  expect(config.USERS_URL).toBe('http://127.0.0.1:4002');
  expect(config.PATIENTS_URL).toBe('http://127.0.0.1:4003');
  expect(config.VISITS_URL).toBe('http://127.0.0.1:4004');
  expect(config.OVERVIEW_CONCURRENCY).toBe(8);
  expect(config.CLUSTERS).toEqual(['eu-1', 'us-1']);
});

test('CLUSTERS is a comma-separated list, trimmed and without duplicates', () => {
  expect(loadAdminConfig({ CLUSTERS: ' us-1, ap-2 ,us-1,' }).CLUSTERS).toEqual(['us-1', 'ap-2']);
});

test('a malformed cluster list fails at start naming CLUSTERS', () => {
  expect(() => loadAdminConfig({ CLUSTERS: 'EU 1' })).toThrow(ConfigError);
  expect(() => loadAdminConfig({ CLUSTERS: ' , ' })).toThrow(/CLUSTERS/);
});
