import { splitSqlStatements } from './sql-split.js';

describe('splitSqlStatements', () => {
  it('splits on ; outside quotes and comments and keeps line numbers', () => {
    const script = [
      '-- CreateTable; with a semicolon in a comment',
      "CREATE TABLE `a;b` (`x` VARCHAR(10) NOT NULL DEFAULT 'x;y', -- inline; comment",
      '  `y` INT # hash; comment',
      ');',
      '',
      '/* block; comment',
      '   over lines; */',
      "INSERT INTO t VALUES ('it''s; fine', \"dq; \\\" \", 'back\\'slash;');",
      'SELECT 1',
    ].join('\n');
    const statements = splitSqlStatements(script);
    expect(statements.map((s) => s.line)).toEqual([2, 8, 9]);
    expect(statements[0]!.sql).toMatch(/^CREATE TABLE `a;b`/);
    expect(statements[0]!.sql).toMatch(/\)$/);
    expect(statements[1]!.sql).toBe("INSERT INTO t VALUES ('it''s; fine', \"dq; \\\" \", 'back\\'slash;')");
    expect(statements[2]!.sql).toBe('SELECT 1');
  });

  it('drops pieces that are only comments and whitespace', () => {
    expect(splitSqlStatements('-- nothing\n;;\n/* still nothing */;\n# done\n')).toEqual([]);
    expect(splitSqlStatements('')).toEqual([]);
  });

  it('treats --x (no space) as code, like MySQL', () => {
    expect(splitSqlStatements('SELECT 1--1;SELECT 2').map((s) => s.sql)).toEqual(['SELECT 1--1', 'SELECT 2']);
  });

  it('keeps executable /*! */ comments as code', () => {
    expect(splitSqlStatements('/*!40101 SET NAMES utf8mb4 */;').map((s) => s.sql)).toEqual([
      '/*!40101 SET NAMES utf8mb4 */',
    ]);
  });

  it('refuses unterminated quotes and DELIMITER', () => {
    expect(() => splitSqlStatements("SELECT 'oops;\nSELECT 2;")).toThrow(/unterminated ' quote opened on line 1/);
    expect(() => splitSqlStatements('DELIMITER //\nCREATE TRIGGER x//')).toThrow(/DELIMITER/);
  });
});
