// (the template editor's checks and the error reader are @clinicult/web-ui's, tested there)
import { graphqlEndpoint } from '../config';
import { grants } from '../permissions';
import { canonicalTimeZone, validateTimeZone } from '../timezones';

describe('permissions, time zones, config', () => {
  it('reads permission wildcards like the platform does', () => {
    expect(grants(['clinicult:platform:*'], 'clinicult:platform:write')).toBe(true);
    expect(grants(['clinicult:platform:*'], 'clinicult:platform:read')).toBe(true);
    expect(grants(['clinicult:platform:write'], 'clinicult:platform:read')).toBe(true);
    expect(grants(['clinicult:platform:read'], 'clinicult:platform:write')).toBe(false);
    expect(grants(['clinicult:clinic:*', 'clinicult:user:*'], 'clinicult:platform:read')).toBe(false);
    expect(grants([], 'clinicult:platform:read')).toBe(false);
  });

  it('accepts IANA zones only', () => {
    expect(canonicalTimeZone('Europe/Madrid')).toBe('Europe/Madrid');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeNull();
    expect(canonicalTimeZone('Europe/Madrid; drop')).toBeNull();
    expect(validateTimeZone('')).toMatch(/^Choose/);
    expect(validateTimeZone('Europe/Lisbon')).toBeUndefined();
  });

  it('calls the gateway’s /graphql whatever form its URL takes', () => {
    expect(graphqlEndpoint('http://127.0.0.1:4000', 'http://x/')).toBe('http://127.0.0.1:4000/graphql');
    expect(graphqlEndpoint('http://127.0.0.1:4000/', 'http://x/')).toBe('http://127.0.0.1:4000/graphql');
    expect(graphqlEndpoint('https://api.example.org/graphql', 'http://x/')).toBe('https://api.example.org/graphql');
    expect(graphqlEndpoint('https://example.org/api/', 'http://x/')).toBe('https://example.org/api/graphql');
  });
});
