#!/usr/bin/env node
// A V8 CPU profile of one running service, taken from outside (issue 14): opens the process's
// inspector with SIGUSR1, records for a while and prints where the busy time went, by package and
// by function (self time). Run it while load runs, e.g. in another terminal:
//
//   npm run bench -- --scenarios dashboard --duration 30
//   npm run profile -- --service users --seconds 10 [--out users.cpuprofile] [--top 25]
//
// --service is a name of `npm start`'s port map (gateway, auth, users, patients, visits, clinic,
// admin, audit) or --pid a process id. The .cpuprofile opens in Chrome DevTools or speedscope.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const PORTS = { gateway: 4000, auth: 4001, users: 4002, patients: 4003, visits: 4004, clinic: 4005, admin: 4006, audit: 4007 };
const { values: args } = parseArgs({
  options: {
    service: { type: 'string' },
    pid: { type: 'string' },
    seconds: { type: 'string', default: '8' },
    out: { type: 'string' },
    top: { type: 'string', default: '20' },
  },
});

function pidOf(service) {
  const port = PORTS[service];
  if (!port) throw new Error(`unknown service ${service} (${Object.keys(PORTS).join(', ')})`);
  const line = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' }).split('\n').find((l) => new RegExp(`[:.]${port}\\s`).test(l));
  const pid = line?.match(/pid=(\d+)/)?.[1];
  if (!pid) throw new Error(`nothing listens on ${port} (is npm start running?)`);
  return Number(pid);
}

/** The inspector's WebSocket address of a process whose inspector was just opened (default port 9229). */
async function inspectorUrl() {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const [target] = await (await fetch('http://127.0.0.1:9229/json/list')).json();
      if (target?.webSocketDebuggerUrl) return target.webSocketDebuggerUrl;
    } catch {
      // not open yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the inspector did not open on 127.0.0.1:9229 (another one open already?)');
}

function session(url) {
  const socket = new WebSocket(url);
  let next = 1;
  const waiting = new Map();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(message.error.message));
    else pending.resolve(message.result);
  });
  const opened = new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return {
    opened,
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** The package a script belongs to: the last node_modules/<pkg> in its path, else its workspace folder. */
function packageOf(url) {
  if (!url) return '(native/V8)';
  if (url.startsWith('node:')) return 'node internals';
  const scoped = url.match(/.*node_modules\/(@[^/]+\/[^/]+|[^/]+)\//);
  if (scoped) return scoped[1];
  const workspace = url.match(/\/(packages|subgraphs|gateway|clients)\/([^/]+)?/);
  if (workspace) return workspace[1] === 'gateway' ? 'gateway (own)' : `${workspace[1]}/${workspace[2]} (own)`;
  return url;
}

function summarize(profile, top) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const intervals = profile.timeDeltas ?? [];
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (intervals[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byPackage = new Map();
  const byFunction = new Map();
  for (const [id, micros] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    const pkg = ['(idle)', '(garbage collector)', '(program)'].includes(name) ? name : packageOf(callFrame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    const where = callFrame.url ? `${name} ${callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(packages|subgraphs|gateway)\//, '$1/')}:${callFrame.lineNumber + 1}` : name;
    byFunction.set(where, (byFunction.get(where) ?? 0) + micros);
  }
  const idle = byPackage.get('(idle)') ?? 0;
  const busy = total - idle;
  const line = ([name, micros]) => `  ${((micros / busy) * 100).toFixed(1).padStart(5)}%  ${name}`;
  const sorted = (map) => [...map].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]);
  console.log(`busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled (${((busy / total) * 100).toFixed(0)}%); shares of busy time`);
  console.log('by package:');
  for (const entry of sorted(byPackage).slice(0, top)) console.log(line(entry));
  console.log('by function (self):');
  for (const entry of sorted(byFunction).slice(0, top)) console.log(line(entry));
}

const pid = args.pid ? Number(args.pid) : pidOf(args.service ?? 'gateway');
process.kill(pid, 'SIGUSR1');
const inspector = session(await inspectorUrl());
await inspector.opened;
await inspector.send('Profiler.enable');
await inspector.send('Profiler.setSamplingInterval', { interval: 200 });
await inspector.send('Profiler.start');
await new Promise((resolve) => setTimeout(resolve, Number(args.seconds) * 1000));
const { profile } = await inspector.send('Profiler.stop');
if (args.out) await writeFile(args.out, JSON.stringify(profile));
summarize(profile, Number(args.top));
// closes the process's inspector again, so it runs as it was and the port is free for the next
// profile (the connection drops with it, so there is no answer to wait for)
inspector.send('Runtime.evaluate', { expression: "require('inspector').close()", includeCommandLineAPI: true }).catch(() => undefined);
setTimeout(() => process.exit(0), 200);
