import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The monorepo root: the nearest folder, walking up from `start` (default: this package's
 * folder), that holds both `prisma/` and `turbo.json`.
 */
export function findRepoRoot(start: string = here): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'turbo.json')) && isDirectory(path.join(dir, 'prisma'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`Cannot find the repository root (a folder with prisma/ and turbo.json) above ${start}`);
    }
    dir = parent;
  }
}

export interface ServicePaths {
  service: string;
  /** `<root>/prisma/<service>` */
  dir: string;
  /** `<root>/prisma/<service>/schema.prisma` */
  schemaPath: string;
  /** `<root>/prisma/<service>/migrations` */
  migrationsDir: string;
}

/** Where a service's Prisma schema and migrations live. */
export function servicePaths(service: string, root: string = findRepoRoot()): ServicePaths {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(service)) throw new Error(`Invalid service name: ${JSON.stringify(service)}`);
  const dir = path.join(root, 'prisma', service);
  return {
    service,
    dir,
    schemaPath: path.join(dir, 'schema.prisma'),
    migrationsDir: path.join(dir, 'migrations'),
  };
}

/** Every service: the folders under `<root>/prisma/` that hold a schema.prisma, sorted by name. */
export function listServices(root: string = findRepoRoot()): string[] {
  const prismaDir = path.join(root, 'prisma');
  if (!isDirectory(prismaDir)) return [];
  return readdirSync(prismaDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(prismaDir, entry.name, 'schema.prisma')))
    .map((entry) => entry.name)
    .sort();
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
