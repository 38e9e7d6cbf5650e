import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gql } from '@clinicult/testing';
import { readCompose, type ComposeService } from './compose.js';
import { root } from './repo.js';

// The platform booted from docker-compose.yml's own definitions (issue 15): no container engine
// runs here, so each compose service's command runs with its interpolated environment inside a
// network namespace of this test's own, where /etc/netns/<ns>/hosts names every compose service
// (mysql, redis, auth, …) at the namespace's address, with a mariadbd and a redis-server of its
// own (init.sql and users.sh make the per-service users, as in the MySQL image). Nothing collides
// with `npm start` or the other tests. Then a visit is driven through the gateway, as the staff
// the compose demo profile's seed job invited.

const NS = `clinicult-compose-${process.pid}`;
// a /30 of its own per run, so that two runs at once never share an address
const HOST_IP = `10.231.${process.pid % 250}.1`;
const NS_IP = `10.231.${process.pid % 250}.2`;
const work = mkdtempSync(path.join(os.tmpdir(), 'compose-boot-'));
const processes: { name: string; child: ChildProcess; log: string[] }[] = [];

function sh(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', input: options.input, env: options.env ?? process.env, timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}
const inNs = (args: string[]) => ['netns', 'exec', NS, ...args];

/** A long-running process inside the namespace; its output is kept for the failure message. */
function start(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn('ip', inNs(args), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (log.length > 200) log.splice(0, log.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  processes.push({ name, child, log });
  return child;
}
const logsOf = (name: string) => processes.find((p) => p.name === name)?.log.slice(-40).join('\n') ?? '';

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s\n${logsOf(what)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A compose one-shot (migrate, seed): runs to completion inside the namespace. */
function runOnce(name: string, service: ComposeService, env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<void> {
  const child = start(name, [...(service.entrypoint ?? []), ...(service.command ?? [])], env);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not finish within ${timeoutMs / 1000} s\n${logsOf(name)}`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${name} exited ${code}\n${logsOf(name)}`));
    });
  });
}

/** The compose services in dependency order (depends_on), without the ones this test provides itself. */
function startOrder(services: Record<string, ComposeService>, skip: Set<string>): string[] {
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name) || skip.has(name)) return;
    for (const dependency of Object.keys(services[name]?.depends_on ?? {})) visit(dependency);
    order.push(name);
  };
  for (const name of Object.keys(services)) visit(name);
  return order;
}

/** Compose's secrets: mounted at /run/secrets/<name>; here, files under the test's own folder. */
function withSecrets(environment: Record<string, string>, secretsDir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v.startsWith('/run/secrets/') ? path.join(secretsDir, v.slice('/run/secrets/'.length)) : v]));
}

let gatewayUrl: string;
let mysqlSocket: string;
let definitions: ReturnType<typeof readCompose>;
let secretsDir: string;

beforeAll(async () => {
  // the namespace, its link to this one, and its own names for the compose services
  sh('ip', ['netns', 'add', NS]);
  sh('ip', ['link', 'add', `${NS.slice(-8)}h`, 'type', 'veth', 'peer', 'name', `${NS.slice(-8)}n`]);
  sh('ip', ['link', 'set', `${NS.slice(-8)}n`, 'netns', NS]);
  sh('ip', ['addr', 'add', `${HOST_IP}/30`, 'dev', `${NS.slice(-8)}h`]);
  sh('ip', ['link', 'set', `${NS.slice(-8)}h`, 'up']);
  sh('ip', inNs(['ip', 'addr', 'add', `${NS_IP}/30`, 'dev', `${NS.slice(-8)}n`]));
  sh('ip', inNs(['ip', 'link', 'set', `${NS.slice(-8)}n`, 'up']));
  sh('ip', inNs(['ip', 'link', 'set', 'lo', 'up']));
  const compose = readCompose();
  const names = Object.keys(compose.services);
  mkdirSync(`/etc/netns/${NS}`, { recursive: true });
  writeFileSync(`/etc/netns/${NS}/hosts`, `127.0.0.1 localhost\n${NS_IP} ${names.join(' ')}\n`);

  // the secrets, as npm run compose:env makes them, and the service keys
  const { composeSecrets } = (await import(path.join(root, 'scripts/compose-env.mjs'))) as { composeSecrets(): Record<string, string> };
  const secrets = composeSecrets();
  const keysDir = path.join(work, 'service-keys');
  sh(process.execPath, [path.join(root, 'scripts/service-keys.mjs'), keysDir]);
  const variables = { ...secrets, NODE_ENV: 'development', SERVICE_KEYS_DIR: keysDir, LOG_LEVEL: 'warn' };
  definitions = readCompose(variables);
  secretsDir = path.join(work, 'secrets');
  mkdirSync(secretsDir);
  for (const [name, secret] of Object.entries(definitions.secrets)) copyFileSync(secret.file, path.join(secretsDir, name));

  // MySQL's part: a mariadbd of the namespace's own, its databases and per-service users from docker/mysql
  const datadir = path.join(work, 'mysql');
  const socket = path.join(work, 'mysql.sock');
  mysqlSocket = socket;
  sh('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--skip-test-db', '--auth-root-authentication-method=socket']);
  start('mysql', ['mariadbd', '--no-defaults', `--datadir=${datadir}`, `--socket=${socket}`, '--port=3306', '--bind-address=0.0.0.0', '--user=root', '--skip-name-resolve', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci'], process.env);
  await until('mysql', () => spawnSync('mariadb-admin', ['--no-defaults', `--socket=${socket}`, '-uroot', 'ping'], { stdio: 'ignore' }).status === 0, 60_000);
  const client = `mariadb --no-defaults --socket=${socket} -uroot`;
  sh('sh', ['-c', `${client} < docker/mysql/init.sql`]);
  sh('sh', ['docker/mysql/users.sh'], { env: { ...process.env, ...secrets, MYSQL_CLIENT: client } });

  // Redis's part: the compose command's own flags, its data in the test's folder
  const redisArgs = (definitions.services.redis as { command: string[] }).command.map((arg) => (arg === '/data' ? work : arg));
  // reached on the namespace's address, not loopback: Redis's protected mode would refuse that without a password
  start('redis', [...redisArgs, '--bind', '0.0.0.0', '--port', '6379', '--protected-mode', 'no'], process.env);
  await until('redis', () => spawnSync('redis-cli', ['-h', NS_IP, 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', 30_000);

  // then every compose service in depends_on order: the one-shots to completion, the others until healthy
  const demoOnly = new Set(['create-operator']);
  for (const name of startOrder(definitions.services, new Set(['mysql', 'redis', ...demoOnly]))) {
    const service = definitions.services[name]!;
    const env = { PATH: process.env.PATH, ...withSecrets(service.environment ?? {}, secretsDir) };
    if (name === 'migrate' || name === 'seed') {
      // in a container the seed's operator secret stays in the container; here it must not replace the developer's own
      if (name === 'seed') Object.assign(env, { DEMO_OPERATOR_FILE: path.join(work, 'demo-operator.json') });
      await runOnce(name, service, env);
      continue;
    }
    start(name, service.command!, env);
    const probe = service.healthcheck!.test!.slice(1);
    await until(name, () => spawnSync('ip', inNs(probe), { cwd: root, stdio: 'ignore' }).status === 0, 90_000);
  }
  const port = (definitions.services.gateway!.ports![0] as string).split(':').at(-1);
  gatewayUrl = `http://${NS_IP}:${port}`;
}, 600_000);

afterAll(async () => {
  for (const { child } of processes.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  spawnSync('ip', ['netns', 'delete', NS]);
  spawnSync('ip', ['link', 'delete', `${NS.slice(-8)}h`]);
  rmSync(`/etc/netns/${NS}`, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}, 60_000);

const PASSWORD = 'Clinicult-demo-1';
async function signIn(email: string): Promise<string> {
  const response = await gql<{ login: { token: string } }>(`${gatewayUrl}/graphql`, 'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: email, p: PASSWORD });
  expect(response.errors).toBeUndefined();
  return response.data!.login.token;
}

describe('the platform from docker-compose.yml (its commands, environment, healthchecks and depends_on)', () => {
  it('answers readiness on every service, each with its own database user', async () => {
    const ready = (await (await fetch(`http://${NS_IP}:9000/readyz`)).json()) as { status: string; checks: Record<string, string> };
    expect(ready.status).toBe('ready');
    expect(Object.keys(ready.checks).sort()).toEqual(['admin', 'audit', 'auth', 'clinic', 'patients', 'redis', 'users', 'visits']);
    // every connection from the services is one of the per-service users (users.sh), none is root
    const users = sh('mariadb', ['--no-defaults', `--socket=${mysqlSocket}`, '-uroot', '-N', '-e', `SELECT DISTINCT user FROM information_schema.processlist WHERE host LIKE '${NS_IP}:%'`]);
    expect(users.split('\n').filter(Boolean).sort()).toEqual(['admin', 'audit', 'auth', 'clinic', 'patients', 'users', 'visits']);
    const grants = sh('mariadb', ['--no-defaults', `--socket=${mysqlSocket}`, '-uroot', '-N', '-e', "SHOW GRANTS FOR 'patients'@'%'"]);
    expect(grants).toMatch(/ON `clinicult_patients`\.\*/);
    expect(grants).not.toMatch(/ON \*\.\*.*ALL|clinicult_(auth|visits|audit)/);
  });

  it('creates a first operator with the create-operator one-shot, which prints the one link that sets the password', async () => {
    const job = definitions.services['create-operator']!;
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn('ip', inNs([...job.entrypoint!, '--email', 'olga.ops@example.org', '--first-name', 'Olga', '--last-name', 'Ops']), {
        cwd: root,
        env: { PATH: process.env.PATH, ...withSecrets(job.environment ?? {}, secretsDir) },
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.once('exit', (code) => resolve({ code, text }));
    });
    expect(output).toMatchObject({ code: 0 });
    expect(output.text).toMatch(/Operator olga\.ops@example\.org \(user [0-9a-f-]{36}\)/);
    expect(output.text).toMatch(/\n {2}http:\/\/localhost:3001\/\S+/);
  });

  it('drives a visit from check-in to finish through the gateway, as the seeded staff', async () => {
    const [office, nurse, doctor] = (await Promise.all(['office', 'nurse', 'doctor'].map((who) => signIn(`${who}@demo.clinicult.test`)))) as [string, string, string];
    const url = `${gatewayUrl}/graphql`;
    const call = async <T>(token: string, query: string, variables: Record<string, unknown> = {}) => {
      const response = await gql<T>(url, query, variables, { token });
      expect(response.errors).toBeUndefined();
      return response.data!;
    };
    const { patients } = await call<{ patients: { edges: { node: { id: string; currentVisit: { id: string } | null } }[] } }>(office, '{ patients(first: 20) { edges { node { id currentVisit { id } } } } }');
    const patient = patients.edges.map((e) => e.node).find((p) => !p.currentVisit);
    expect(patient).toBeDefined();
    const { checkIn } = await call<{ checkIn: { id: string } }>(office, 'mutation ($p: ID!) { checkIn(patientId: $p, reason: "Compose boot test") { id } }', { p: patient!.id });
    const v = { v: checkIn.id };
    await call(nurse, 'mutation ($v: ID!) { startTriage(visitId: $v) { id } }', v);
    await call(nurse, 'mutation ($v: ID!) { recordVitals(visitId: $v, vitals: { temperatureC: 37.2, heartRate: 76, systolic: 120, diastolic: 78, spo2: 98 }) { id } }', v);
    await call(nurse, 'mutation ($v: ID!) { sendToDoctor(visitId: $v) { id } }', v);
    await call(doctor, 'mutation ($v: ID!) { startConsultation(visitId: $v) { id } }', v);
    await call(doctor, 'mutation ($v: ID!) { recordConsultation(visitId: $v, input: { notes: "Well", diagnoses: [{ code: "Z00.0", description: "General examination" }] }) { id } }', v);
    await call(doctor, 'mutation ($v: ID!) { completeConsultation(visitId: $v) { id } }', v);
    await call(office, 'mutation ($v: ID!) { finishVisit(visitId: $v) }', v);
    // archived: in the patient's history, with the doctor's diagnosis (medical: the DOCTOR reads it)
    await until('the archived visit', async () => {
      const data = await call<{ patient: { currentVisit: unknown; history: { edges: { node: { id: string; diagnoses: { code: string }[] } }[] } } }>(
        doctor,
        'query ($p: ID!) { patient(id: $p) { currentVisit { id } history(first: 5) { edges { node { id diagnoses { code } } } } } }',
        { p: patient!.id },
      );
      const archived = data.patient.history.edges.find((e) => e.node.id === checkIn.id);
      return data.patient.currentVisit === null && archived?.node.diagnoses[0]?.code === 'Z00.0';
    }, 20_000);
  });
});
