// A consumer that takes one entry from the group and dies (SIGKILL) before acking it.
// Usage: node crash-consumer.mjs <stream> <group> <consumer>; prints {"entryId": ...} first.
import { Redis } from 'ioredis';

const [stream, group, consumer] = process.argv.slice(2);
const redis = new Redis({ host: '127.0.0.1', port: 6379 });
try {
  await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
} catch (err) {
  if (!String(err.message).startsWith('BUSYGROUP')) throw err;
}
const reply = await redis.xreadgroup('GROUP', group, consumer, 'COUNT', 1, 'BLOCK', 5000, 'STREAMS', stream, '>');
const entryId = reply?.[0]?.[1]?.[0]?.[0] ?? null;
process.stdout.write(`${JSON.stringify({ entryId })}\n`, () => process.kill(process.pid, 'SIGKILL'));
