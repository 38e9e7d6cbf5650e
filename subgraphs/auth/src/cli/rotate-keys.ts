// Rotates auth's signing key now: `node subgraphs/auth/dist/cli/rotate-keys.js` (same env as auth).
// Running instances publish the new key within KEY_REFRESH_INTERVAL_MS; tokens signed by the old
// key keep verifying until they expire.
import { loadAuthConfig } from '../config.js';
import { createDb } from '../db.js';
import { KeyStore } from '../keys.js';

const config = loadAuthConfig();
const db = createDb(config.DATABASE_URL);
try {
  const keys = new KeyStore(db, config.TOKEN_TTL_SECONDS);
  await keys.reload();
  const kid = await keys.rotate();
  console.log(`new signing key ${kid}; previous keys stay published until their tokens expire`);
} finally {
  await db.$disconnect();
}
