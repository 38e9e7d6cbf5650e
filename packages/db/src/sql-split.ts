/** Splits a MySQL migration script into statements, the way the mysql client does (without DELIMITER). */

export interface SqlStatement {
  /** The statement text, trimmed, without its terminating `;`. Comments inside it are kept. */
  sql: string;
  /** 1-based line of the statement's first non-blank character in the script. */
  line: number;
}

/**
 * Splits on `;` outside string literals ('…', "…"), quoted identifiers (`…`) and comments
 * (`-- …`, `# …`, `/* … *\/`). Comments before a statement are left out. Pieces that hold only whitespace and comments are dropped.
 * A `DELIMITER` command (a mysql-client feature that Prisma does not support either) is refused.
 */
export function splitSqlStatements(script: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let line = 1;
  let hasCode = false; // the current piece has something besides whitespace and comments
  let firstCodeLine = 1;
  let codeStart = 0;
  let atLineStart = true;
  const n = script.length;
  let i = 0;

  const flush = (end: number) => {
    if (hasCode) statements.push({ sql: script.slice(codeStart, end).trim(), line: firstCodeLine });
    hasCode = false;
  };

  const markCode = () => {
    if (!hasCode) {
      hasCode = true;
      firstCodeLine = line;
      codeStart = i;
    }
  };

  while (i < n) {
    const ch = script[i]!;
    const next = script[i + 1];

    if (ch === '\n') {
      line++;
      i++;
      atLineStart = true;
      continue;
    }
    if (atLineStart && (ch === 'D' || ch === 'd') && /^delimiter\s/i.test(script.slice(i, i + 10))) {
      throw new Error(
        `line ${line}: DELIMITER is a mysql client command, not SQL; it is not supported in migrations`,
      );
    }
    if (ch !== ' ' && ch !== '\t' && ch !== '\r') atLineStart = false;

    // -- comment (MySQL needs whitespace or end of input after the two dashes)
    if (ch === '-' && next === '-' && (i + 2 >= n || /\s/.test(script[i + 2]!))) {
      while (i < n && script[i] !== '\n') i++;
      continue;
    }
    if (ch === '#') {
      while (i < n && script[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && next === '*') {
      const executable = script[i + 2] === '!'; // /*! … */ is executed by MySQL: it is code
      if (executable) markCode();
      i += 2;
      while (i < n && !(script[i] === '*' && script[i + 1] === '/')) {
        if (script[i] === '\n') line++;
        i++;
      }
      if (i >= n) throw new Error(`unterminated /* comment */ (from line ${line})`);
      i += 2;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      markCode();
      const quote = ch;
      const openedAt = line;
      i++;
      for (;;) {
        if (i >= n) throw new Error(`unterminated ${quote} quote opened on line ${openedAt}`);
        const c = script[i]!;
        if (c === '\n') line++;
        if (c === '\\' && quote !== '`') {
          if (script[i + 1] === '\n') line++;
          i += 2;
          continue;
        }
        if (c === quote) {
          if (script[i + 1] === quote) {
            i += 2;
            continue;
          }
          i++;
          break;
        }
        i++;
      }
      continue;
    }
    if (ch === ';') {
      flush(i);
      i++;
      continue;
    }
    if (!/\s/.test(ch)) markCode();
    i++;
  }
  flush(n);
  return statements;
}
