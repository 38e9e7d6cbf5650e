import { databaseNameOf, databaseUrlFor, parseMysqlUrl, redactUrl, withDatabase } from './url.js';

describe('database URLs', () => {
  it('defaults to the local server and clinicult_<service>', () => {
    expect(databaseUrlFor('auth', {})).toBe('mysql://root@127.0.0.1:3306/clinicult_auth');
  });

  it('takes DATABASE_URL_<SERVICE> when set', () => {
    expect(databaseUrlFor('users', { DATABASE_URL_USERS: 'mysql://u:p@db:3307/people' })).toBe(
      'mysql://u:p@db:3307/people',
    );
    expect(databaseUrlFor('users', { DATABASE_URL_USERS: '' })).toBe('mysql://root@127.0.0.1:3306/clinicult_users');
  });

  it('parses, rewrites and redacts URLs', () => {
    expect(parseMysqlUrl('mysql://a%40b:p%3Aw@h:3310/db%5Fx?connection_limit=5')).toEqual({
      host: 'h',
      port: 3310,
      user: 'a@b',
      password: 'p:w',
      database: 'db_x',
    });
    expect(parseMysqlUrl('mariadb://root@localhost').database).toBeUndefined();
    expect(withDatabase('mysql://root@127.0.0.1:3306/a?x=1', 'b')).toBe('mysql://root@127.0.0.1:3306/b?x=1');
    expect(databaseNameOf('mysql://root@127.0.0.1/clinicult_admin')).toBe('clinicult_admin');
    expect(() => databaseNameOf('mysql://root@127.0.0.1/')).toThrow(/names no database/);
    expect(redactUrl('mysql://u:secret@h/db')).toBe('mysql://u:***@h/db');
    expect(() => parseMysqlUrl('postgres://x/y')).toThrow(/Unsupported/);
  });
});
