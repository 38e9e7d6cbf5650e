import { MigrationError, migrate, migrationStatus, resetDatabase, resolveMigration } from './migrate.js';
import { findRepoRoot, listServices, servicePaths } from './paths.js';
import { databaseNameOf, databaseUrlFor } from './url.js';

export interface CliContext {
  /** Repository root (default: found from this file). */
  root?: string;
  env?: NodeJS.ProcessEnv;
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
}

const USAGE = `Usage: node packages/db/dist/cli.js <command>

  migrate [service ...]     apply pending migrations (every service under prisma/ when none is named)
  status [service ...]      show applied, pending and failed migrations
  reset <service ...>       drop the database and migrate it from scratch (refused when NODE_ENV=production)
  resolve <service> --rolled-back <migration>
                            mark a failed migration rolled back so the next migrate runs it again
  resolve <service> --applied <migration>
                            record a migration as applied without running it

Each service's database URL is DATABASE_URL_<SERVICE>, default mysql://root@127.0.0.1:3306/clinicult_<service>.`;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs the CLI; returns the process exit code. */
export async function runCli(argv: string[], context: CliContext = {}): Promise<number> {
  const env = context.env ?? process.env;
  const out = context.stdout ?? ((line: string) => console.log(line));
  const err = context.stderr ?? ((line: string) => console.error(line));
  const [command, ...args] = argv;

  if (!command || command === 'help' || command === '--help' || command === '-h') {
    (command ? out : err)(USAGE);
    return command ? 0 : 2;
  }

  let root: string;
  try {
    root = context.root ?? findRepoRoot();
  } catch (error) {
    err(errorMessage(error));
    return 1;
  }

  const resolveServices = (names: string[], allowAll: boolean): string[] | null => {
    const known = listServices(root);
    if (names.length === 0) {
      if (allowAll) return known;
      err(`${command}: name at least one service (known: ${known.join(', ') || 'none'})`);
      return null;
    }
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length) {
      err(`Unknown service${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (known: ${known.join(', ') || 'none'})`);
      return null;
    }
    return names;
  };

  switch (command) {
    case 'migrate':
    case 'reset': {
      if (command === 'reset' && env.NODE_ENV === 'production') {
        err('reset: refused because NODE_ENV=production');
        return 1;
      }
      const services = resolveServices(args, command === 'migrate');
      if (!services) return 2;
      if (services.length === 0) {
        out(`No services under ${root}/prisma (a folder with schema.prisma)`);
        return 0;
      }
      let failed = 0;
      for (const service of services) {
        const url = databaseUrlFor(service, env);
        const label = `${service} (${databaseNameOf(url)})`;
        const { migrationsDir } = servicePaths(service, root);
        try {
          const applied =
            command === 'reset'
              ? await resetDatabase({ url, migrationsDir, env })
              : await migrate({ url, migrationsDir });
          const verb = command === 'reset' ? 'reset, applied' : 'applied';
          out(
            applied.length === 0
              ? `${label}: up to date`
              : `${label}: ${verb} ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}`,
          );
        } catch (error) {
          failed++;
          const code = error instanceof MigrationError ? ` [${error.code}]` : '';
          err(`${label}: FAILED${code}: ${errorMessage(error)}`);
        }
      }
      return failed ? 1 : 0;
    }
    case 'status': {
      const services = resolveServices(args, true);
      if (!services) return 2;
      let bad = 0;
      for (const service of services) {
        const url = databaseUrlFor(service, env);
        const label = `${service} (${databaseNameOf(url)})`;
        try {
          const s = await migrationStatus({ url, migrationsDir: servicePaths(service, root).migrationsDir });
          const parts = [`${s.applied.length} applied`, `${s.pending.length} pending`];
          if (s.pending.length) parts[1] += ` (${s.pending.join(', ')})`;
          if (s.failed.length) parts.push(`FAILED: ${s.failed.map((f) => f.name).join(', ')}`);
          if (s.modified.length) parts.push(`MODIFIED after apply: ${s.modified.join(', ')}`);
          if (s.missingLocally.length) parts.push(`missing locally: ${s.missingLocally.join(', ')}`);
          if (s.failed.length || s.modified.length) bad++;
          out(`${label}: ${parts.join('; ')}`);
        } catch (error) {
          bad++;
          err(`${label}: FAILED: ${errorMessage(error)}`);
        }
      }
      return bad ? 1 : 0;
    }
    case 'resolve': {
      const [service, flag, migration, ...rest] = args;
      if (!service || !migration || rest.length || (flag !== '--rolled-back' && flag !== '--applied')) {
        err('Usage: resolve <service> --rolled-back|--applied <migration>');
        return 2;
      }
      if (!resolveServices([service], false)) return 2;
      const url = databaseUrlFor(service, env);
      try {
        await resolveMigration({
          url,
          migrationsDir: servicePaths(service, root).migrationsDir,
          migration,
          as: flag === '--applied' ? 'applied' : 'rolled-back',
        });
        out(`${service} (${databaseNameOf(url)}): ${migration} marked ${flag.slice(2)}`);
        return 0;
      } catch (error) {
        err(`${service}: FAILED: ${errorMessage(error)}`);
        return 1;
      }
    }
    default:
      err(`Unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}
