// Is MariaDB/MySQL reachable, is Redis? Plain sockets (no driver: this runs before anything is
// built), with messages that say how to start what is missing.
import net from 'node:net';

/**
 * A service's database URL, as `@clinicult/db`'s `databaseUrlFor` computes it:
 * DATABASE_URL_<SERVICE> or mysql://root@127.0.0.1:3306/clinicult_<service>.
 */
export function databaseUrlFor(service, env = process.env) {
  const key = `DATABASE_URL_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  const fromEnv = env[key];
  if (fromEnv && fromEnv.trim() !== '') return fromEnv.trim();
  return `mysql://root@127.0.0.1:3306/clinicult_${service.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Whether something accepts connections on 127.0.0.1:`port` (another Clinicult, usually). */
export function portInUse(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export function redisUrl(env = process.env) {
  return env.REDIS_URL && env.REDIS_URL.trim() !== '' ? env.REDIS_URL.trim() : 'redis://127.0.0.1:6379';
}

function hostPort(url, defaultPort) {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: parsed.port ? Number(parsed.port) : defaultPort, parsed };
}

/**
 * Connects and reads the server's first packet: MySQL/MariaDB greet every client with a handshake
 * (protocol 10) or an error packet (0xff, e.g. "host is not allowed", "too many connections").
 */
export function probeMysql(url, timeoutMs = 3000) {
  const { host, port } = hostPort(url, 3306);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result) => {
      socket.destroy();
      resolve({ host, port, ...result });
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, error: `no answer within ${timeoutMs} ms` }));
    socket.once('error', (error) => done({ ok: false, error: error.code ?? error.message }));
    socket.once('data', (data) => {
      const first = data[4];
      if (first === 0x0a) {
        const end = data.indexOf(0, 5);
        return done({ ok: true, version: data.subarray(5, end > 5 ? end : undefined).toString('latin1') });
      }
      if (first === 0xff) return done({ ok: false, error: `server refused: ${data.subarray(7).toString('utf8')}` });
      return done({ ok: false, error: 'something answers on this port, but it is not MySQL/MariaDB' });
    });
  });
}

/** Sends PING; Redis answers +PONG (or -NOAUTH when a password is needed: reachable all the same). */
export function probeRedis(url, timeoutMs = 3000) {
  const { host, port, parsed } = hostPort(url, 6379);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let buffer = '';
    const done = (result) => {
      socket.destroy();
      resolve({ host, port, ...result });
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, error: `no answer within ${timeoutMs} ms` }));
    socket.once('error', (error) => done({ ok: false, error: error.code ?? error.message }));
    socket.once('connect', () => {
      const password = decodeURIComponent(parsed.password || '');
      const user = decodeURIComponent(parsed.username || '');
      if (password) socket.write(user ? `AUTH ${user} ${password}\r\n` : `AUTH ${password}\r\n`);
      socket.write('PING\r\n');
    });
    socket.on('data', (data) => {
      buffer += data.toString('utf8');
      if (buffer.includes('+PONG')) return done({ ok: true });
      if (/^-(NOAUTH|WRONGPASS|ERR)/m.test(buffer)) return done({ ok: false, error: buffer.trim().split('\r\n').pop() });
    });
  });
}

export const HOW_TO_START_MARIADB = `Start MariaDB (or MySQL 8) on 127.0.0.1:3306 with a root user without password, e.g.:
    sudo service mariadb start
    # or, without an init system:
    sudo mkdir -p /run/mysqld && sudo chown mysql:mysql /run/mysqld
    sudo start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
    # macOS: brew services start mariadb
  Elsewhere, point the services at it with DATABASE_URL_<SERVICE>=mysql://user:password@host:port/clinicult_<service>.`;

export const HOW_TO_START_REDIS = `Start Redis 7 on 127.0.0.1:6379, e.g.:
    sudo service redis-server start
    # or, without an init system:
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    # macOS: brew services start redis
  Elsewhere, set REDIS_URL=redis://host:port.`;

/** Checks both; returns a list of problems (empty when both answer). */
export async function checkInfrastructure(env = process.env) {
  const mysqlUrl = databaseUrlFor('auth', env);
  const [mysql, redis] = await Promise.all([probeMysql(mysqlUrl), probeRedis(redisUrl(env))]);
  const problems = [];
  if (!mysql.ok) problems.push(`MariaDB/MySQL is not reachable at ${mysql.host}:${mysql.port} (${mysql.error}).\n  ${HOW_TO_START_MARIADB}`);
  if (!redis.ok) problems.push(`Redis is not reachable at ${redis.host}:${redis.port} (${redis.error}).\n  ${HOW_TO_START_REDIS}`);
  return { problems, mysql, redis };
}
