import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import { FACTS_HASH, factKeys } from '@clinicult/kit';

/** Tests share the machine's Redis; mark the revocation facts as loaded as auth would at start. */
export async function markSessionFactsReady(url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  await redis.hset(FACTS_HASH, factKeys.ready, String(Date.now()));
  redis.disconnect();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private redis-server for tests that need Redis to go down, so the shared one is never stopped.
 */
export async function startPrivateRedis(port?: number): Promise<{ url: string; port: number; stop(): Promise<void>; restart(): Promise<void> }> {
  const chosen = port ?? (await freePort());
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 50; i++) {
      if (await canConnect(chosen)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`private redis on ${chosen} did not start`);
  };
  const stop = async () => {
    if (!child) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    child = null;
  };
  await start();
  return { url: `redis://127.0.0.1:${chosen}`, port: chosen, stop, restart: start };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
