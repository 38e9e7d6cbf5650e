#!/usr/bin/env node
// Fills a visits database with N historic visits of one clinic over many patients (multi-row
// INSERTs in batches, straight into the database) for benchmarks and demos, with a progress bar.
// The generator itself is subgraphs/visits/src/seed/visits-seed.ts (built to dist: run
// `npm run build` or `npx turbo run build --filter=@clinicult/visits-service` first).
//
//   npm run seed:visits -- --count 100000
//   node scripts/seed-visits.mjs --count 1000000 --patients 50000 --clinic <uuid> --database-url mysql://root@127.0.0.1:3306/clinicult_visits
//
// Every run appends: new visits for new patients (existing rows are left alone). Never runs with
// NODE_ENV=production.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { databaseUrlFor } from './lib/infra.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The clinic the seed writes to unless told otherwise (any UUID works: the token names the clinic). */
export const DEFAULT_SEED_CLINIC = '5eed0000-0000-4000-8000-000000000001';

const USAGE = `usage: node scripts/seed-visits.mjs [options]
  --count N          visits to add (default 10000)
  --patients N       new patients to spread them over (default count/20)
  --clinic ID        the clinic (default ${DEFAULT_SEED_CLINIC})
  --database-url URL the visits database (default DATABASE_URL_VISITS or mysql://root@127.0.0.1:3306/clinicult_visits)
  --time-zone ZONE   the clinic's IANA zone (default Europe/Madrid)
  --years N          how far back visits go (default 5)
  --batch N          rows per INSERT (default 1000)
  --seed N           random seed of the distributions
  --no-migrate       do not apply prisma/visits/migrations first
  --quiet            no progress bar`;

export async function loadSeeder() {
  const file = path.join(root, 'subgraphs', 'visits', 'dist', 'seed', 'visits-seed.js');
  try {
    return await import(pathToFileURL(file).href);
  } catch (error) {
    throw new Error(`seed-visits: cannot load ${path.relative(root, file)} (${error.message}); build it first: npx turbo run build --filter=@clinicult/visits-service`, {
      cause: error,
    });
  }
}

/** A cli-progress bar with rows per second and ETA; returns { update(written), stop() }. */
export async function progressBar(total, label = 'visits') {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      format: `{bar} {percentage}% | {value}/{total} ${label} | {rate} rows/s | elapsed {duration_formatted} | ETA {eta_formatted}`,
      etaBuffer: 20,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(total, 0, { rate: 0 });
  return {
    update(written) {
      const seconds = (Date.now() - started) / 1000;
      bar.update(written, { rate: seconds > 0 ? Math.round(written / seconds) : 0 });
    },
    stop() {
      bar.stop();
    },
  };
}

export async function main(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '10000' },
      patients: { type: 'string' },
      clinic: { type: 'string', default: DEFAULT_SEED_CLINIC },
      'database-url': { type: 'string' },
      'time-zone': { type: 'string', default: 'Europe/Madrid' },
      years: { type: 'string', default: '5' },
      batch: { type: 'string', default: '1000' },
      seed: { type: 'string' },
      'no-migrate': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const count = Number(values.count);
  const patients = values.patients ? Number(values.patients) : undefined;
  if (!Number.isInteger(count) || count < 1 || (patients !== undefined && (!Number.isInteger(patients) || patients < 1))) {
    throw new Error(`seed-visits: --count and --patients take positive integers.\n${USAGE}`);
  }
  const url = values['database-url'] ?? databaseUrlFor('visits');
  const { seedVisits } = await loadSeeder();
  const bar = values.quiet ? null : await progressBar(count);
  let result;
  try {
    result = await seedVisits({
      url,
      clinicId: values.clinic,
      count,
      ...(patients ? { patients } : {}),
      timeZone: values['time-zone'],
      years: Number(values.years),
      batchSize: Number(values.batch),
      ...(values.seed ? { seed: Number(values.seed) } : {}),
      migrate: !values['no-migrate'],
      onProgress: (written) => bar?.update(written),
    });
  } finally {
    bar?.stop();
  }
  const seconds = result.millis / 1000;
  console.log(
    `seed-visits: ${result.visits} visits (${result.diagnoses} diagnosis rows, ${result.addenda} addenda) for ${result.patients} new patients of clinic ${result.clinicId} in ${seconds.toFixed(1)} s (${Math.round(result.visits / seconds)} rows/s)`,
  );
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
