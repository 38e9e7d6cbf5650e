import { flavorOf, isStatementTimeout, withStatementTimeLimit } from './statement-limit.js';

test('the server kind comes from its version string', () => {
  expect(flavorOf('10.11.19-MariaDB-0+deb12u1')).toBe('mariadb');
  expect(flavorOf('8.4.3')).toBe('mysql');
});

test('the limit travels as the session variable each kind knows, beside the URL’s own parameters', () => {
  const maria = new URL(withStatementTimeLimit('mysql://u:p@db:3306/clinicult_visits?connectionLimit=5', 2500, 'mariadb'));
  expect(JSON.parse(maria.searchParams.get('sessionVariables')!)).toEqual({ max_statement_time: 2.5 });
  expect(maria.searchParams.get('connectionLimit')).toBe('5'); // the URL's own wins
  expect(new URL(withStatementTimeLimit('mysql://u@db/x', 100, 'mariadb')).searchParams.get('connectionLimit')).toBe('4');
  expect(maria.pathname).toBe('/clinicult_visits');
  const mysql = new URL(withStatementTimeLimit('mysql://u@db/x', 2500, 'mysql'));
  expect(JSON.parse(mysql.searchParams.get('sessionVariables')!)).toEqual({ max_execution_time: 2500 });
  expect(() => withStatementTimeLimit('mysql://u@db/x', 0, 'mysql')).toThrow(/positive/);
});

/** The shapes Prisma 7 with the MariaDB adapter produced here (see the visits text-search-limit test). */
const prismaError = (cause: Record<string, unknown>) =>
  Object.assign(new Error('Invalid `prisma.historicVisit.count()` invocation'), { code: 'P2039', meta: { driverAdapterError: { name: 'DriverAdapterError', cause } } });

test('a statement stopped by the limit is recognised, whatever layer wraps it', () => {
  expect(isStatementTimeout(prismaError({ originalCode: '1969', originalMessage: 'Query execution was interrupted (max_statement_time exceeded)', code: 1969 }))).toBe(true);
  expect(isStatementTimeout(prismaError({ originalCode: '188', originalMessage: 'Unknown error 188', code: 188 }))).toBe(true);
  expect(isStatementTimeout({ errno: 3024, message: 'Query execution was interrupted, maximum statement execution time exceeded' })).toBe(true);
});

test('other database errors are not taken for it', () => {
  expect(isStatementTimeout(prismaError({ originalCode: '1062', originalMessage: "Duplicate entry 'x' for key 'PRIMARY'", code: 1062 }))).toBe(false);
  expect(isStatementTimeout(Object.assign(new Error('Unique constraint failed'), { code: 'P2002' }))).toBe(false);
  expect(isStatementTimeout(new Error('connect ECONNREFUSED'))).toBe(false);
  expect(isStatementTimeout(undefined)).toBe(false);
});
