import { randomBytes } from 'node:crypto';
import { createDatabase, dropDatabase, migrate } from './migrate.js';
import { servicePaths } from './paths.js';
import { compareSchema, type CompareOptions } from './schema/compare.js';
import { describeDatabase } from './schema/describe-database.js';
import { describePrismaSchema } from './schema/describe-prisma.js';
import { databaseUrlFor, withDatabase } from './url.js';

export interface TestDatabase {
  /** URL of the new database. */
  url: string;
  /** Its name: `ct_<service>_<random>`. */
  name: string;
  /** Migrations applied to it (empty when created with `migrate: false`). */
  applied: string[];
  /** Drops the database (safe to call twice). */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Apply the service's migrations (default true). */
  migrate?: boolean;
  /** Migrations folder (default `<repo>/prisma/<service>/migrations`). */
  migrationsDir?: string;
  /** Server to create it on (default: the service's `databaseUrlFor`; its database name is replaced). */
  baseUrl?: string;
}

/** A unique database name for a service: `ct_<service>_<8 hex>`. */
export function testDatabaseName(service: string): string {
  const safe = service.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40);
  return `ct_${safe}_${randomBytes(4).toString('hex')}`;
}

/**
 * Creates a throwaway database `ct_<service>_<random>` for an isolated integration test, migrated
 * from `prisma/<service>/migrations` unless `migrate: false`. Call `drop()` when done.
 */
export async function createTestDatabase(
  service: string,
  options: CreateTestDatabaseOptions = {},
): Promise<TestDatabase> {
  const name = testDatabaseName(service);
  const url = withDatabase(options.baseUrl ?? databaseUrlFor(service), name);
  let applied: string[] = [];
  try {
    if (options.migrate === false) {
      await createDatabase(url);
    } else {
      applied = await migrate({ url, migrationsDir: options.migrationsDir ?? servicePaths(service).migrationsDir });
    }
  } catch (error) {
    await dropDatabase(url).catch(() => undefined);
    throw error;
  }
  let dropped = false;
  return {
    url,
    name,
    applied,
    async drop() {
      if (dropped) return;
      dropped = true;
      await dropDatabase(url);
    },
  };
}

export interface SchemaCheckOptions extends CompareOptions {
  service: string;
  /** Default `<repo>/prisma/<service>/schema.prisma`. */
  schemaPath?: string;
  /** Default `<repo>/prisma/<service>/migrations`. */
  migrationsDir?: string;
  /** Server for the throwaway database (default: the service's `databaseUrlFor`). */
  baseUrl?: string;
}

/**
 * Migrates a fresh throwaway database from the service's migrations, compares it with its
 * schema.prisma, drops it, and returns the differences (`[]` when they match).
 */
export async function checkMigratedSchema(options: SchemaCheckOptions): Promise<string[]> {
  const paths = servicePathsFor(options);
  const expected = await describePrismaSchema(paths.schemaPath);
  const db = await createTestDatabase(options.service, {
    migrationsDir: paths.migrationsDir,
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
  });
  try {
    const actual = await describeDatabase(db.url);
    return compareSchema(expected, actual, options);
  } finally {
    await db.drop();
  }
}

export class SchemaMismatchError extends Error {
  override readonly name = 'SchemaMismatchError';
  constructor(
    readonly service: string,
    readonly differences: string[],
  ) {
    super(
      `The database migrated from ${service}'s migrations does not match its schema.prisma ` +
        `(${differences.length} difference${differences.length === 1 ? '' : 's'}):\n` +
        differences.map((d) => `  - ${d}`).join('\n') +
        '\nWrite a new migration (or fix schema.prisma) so both describe the same database.',
    );
  }
}

/**
 * For a service's tests: proves that the migrations produce exactly what schema.prisma describes.
 * Throws a SchemaMismatchError listing every difference.
 */
export async function assertMigratedMatchesSchema(options: SchemaCheckOptions): Promise<void> {
  const differences = await checkMigratedSchema(options);
  if (differences.length > 0) throw new SchemaMismatchError(options.service, differences);
}

function servicePathsFor(options: SchemaCheckOptions): { schemaPath: string; migrationsDir: string } {
  if (options.schemaPath && options.migrationsDir) {
    return { schemaPath: options.schemaPath, migrationsDir: options.migrationsDir };
  }
  const paths = servicePaths(options.service);
  return {
    schemaPath: options.schemaPath ?? paths.schemaPath,
    migrationsDir: options.migrationsDir ?? paths.migrationsDir,
  };
}
