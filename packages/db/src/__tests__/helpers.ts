import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropDatabase } from '../migrate.js';
import { testDatabaseName } from '../testing.js';
import { databaseUrlFor, withDatabase } from '../url.js';

export const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../__fixtures__/clinic');
export const FIXTURE_SCHEMA = path.join(FIXTURE_DIR, 'schema.prisma');
export const FIXTURE_MIGRATIONS = path.join(FIXTURE_DIR, 'migrations');
export const INIT = '20250101000000_init';
export const SECOND = '20250102000000_referrals_specialties';

/** Databases and folders made by a test file, removed by `cleanup()` in afterAll. */
export class Scratch {
  private urls: string[] = [];
  private dirs: string[] = [];

  /** A URL for a fresh, uniquely named database (not created). */
  url(tag: string): string {
    const url = withDatabase(databaseUrlFor('dbtest'), testDatabaseName(`dbtest_${tag}`));
    this.urls.push(url);
    return url;
  }

  /** A copy of the fixture (schema.prisma + migrations) in a temporary folder. */
  fixtureCopy(): { dir: string; schemaPath: string; migrationsDir: string } {
    const dir = mkdtempSync(path.join(tmpdir(), 'clinicult-db-'));
    this.dirs.push(dir);
    cpSync(FIXTURE_DIR, dir, { recursive: true });
    return { dir, schemaPath: path.join(dir, 'schema.prisma'), migrationsDir: path.join(dir, 'migrations') };
  }

  tempDir(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'clinicult-db-'));
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    for (const url of this.urls) await dropDatabase(url);
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** Replaces text in a file; fails loudly when the text is not there. */
export function editFile(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`editFile: ${String(from)} not found in ${file}`);
  writeFileSync(file, next);
}
