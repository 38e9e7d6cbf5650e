#!/usr/bin/env node
// Container health check (docker-compose.yml): exits 0 when the URL answers 200 within 3 s.
//   node scripts/lib/healthcheck.mjs http://127.0.0.1:4001/healthz
const target = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? 4000}/healthz`;
try {
  const response = await fetch(target, { signal: AbortSignal.timeout(3000) });
  process.exit(response.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
