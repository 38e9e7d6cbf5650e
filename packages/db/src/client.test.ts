import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from './paths.js';

/**
 * createServiceDb talks the driver's text protocol (client.ts says why). The one thing the binary
 * protocol did better is exact large DECIMAL values; this fails when a schema gains a Decimal (or a
 * Float, whose text form the server rounds), so the choice is made again with that column in view.
 */
test('no service schema has a Decimal or Float column', () => {
  const root = findRepoRoot();
  const offenders: string[] = [];
  for (const service of readdirSync(path.join(root, 'prisma'), { withFileTypes: true })) {
    if (!service.isDirectory()) continue;
    const file = path.join(root, 'prisma', service.name, 'schema.prisma');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    text.split('\n').forEach((line, i) => {
      if (/^\s+\w+\s+(Decimal|Float)\b/.test(line)) offenders.push(`${service.name}/schema.prisma:${i + 1}: ${line.trim()}`);
    });
  }
  expect(offenders).toEqual([]);
});
