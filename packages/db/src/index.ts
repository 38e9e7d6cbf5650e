export { databaseUrlFor, parseMysqlUrl, databaseNameOf, withDatabase, redactUrl } from './url.js';
export type { MysqlConnectionOptions } from './url.js';
export { mysqlQuery, mysqlExecute, openConnection, quoteIdentifier } from './connection.js';
export type { ExecuteResult, OpenConnectionOptions } from './connection.js';
export { splitSqlStatements } from './sql-split.js';
export type { SqlStatement } from './sql-split.js';
export {
  migrate,
  migrationStatus,
  resolveMigration,
  resetDatabase,
  createDatabase,
  dropDatabase,
  listMigrations,
  migrationChecksum,
  scriptMatchesChecksum,
  migrationLockName,
  MigrationError,
  MIGRATIONS_TABLE,
} from './migrate.js';
export type {
  MigrateOptions,
  MigrateLogger,
  MigrationErrorCode,
  LocalMigration,
  MigrationRecord,
  MigrationState,
  ResolveOptions,
} from './migrate.js';
export { findRepoRoot, servicePaths, listServices } from './paths.js';
export type { ServicePaths } from './paths.js';
export { describeDatabase, normalizeColumnType } from './schema/describe-database.js';
export type { DescribeDatabaseOptions } from './schema/describe-database.js';
export { describePrismaSchema, describePrismaSchemaText } from './schema/describe-prisma.js';
export type { DescribePrismaOptions } from './schema/describe-prisma.js';
export { compareSchema } from './schema/compare.js';
export type { CompareOptions } from './schema/compare.js';
export { uniqueIndexName, nonUniqueIndexName, foreignKeyName } from './schema/naming.js';
export type * from './schema/types.js';
export {
  createTestDatabase,
  testDatabaseName,
  checkMigratedSchema,
  assertMigratedMatchesSchema,
  SchemaMismatchError,
} from './testing.js';
export type { TestDatabase, CreateTestDatabaseOptions, SchemaCheckOptions } from './testing.js';
export * from './client.js';
export { databaseFlavor, flavorOf, isStatementTimeout, withStatementTimeLimit, type DatabaseFlavor } from './statement-limit.js';
