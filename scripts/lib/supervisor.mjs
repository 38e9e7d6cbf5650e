// Child processes for `npm start`: output prefixed with the service's name in its colour, health
// waits, and a graceful stop (SIGTERM, wait, then SIGKILL). A child that dies on its own is
// reported by name through `onUnexpectedExit`.
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { c, formatLogLine, PREFIX_COLOURS } from './ui.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Supervisor {
  /** @param {{ prefixWidth: number, onUnexpectedExit: (child: object) => void }} options */
  constructor({ prefixWidth, onUnexpectedExit }) {
    this.prefixWidth = prefixWidth;
    this.onUnexpectedExit = onUnexpectedExit;
    this.children = [];
    this.stopping = false;
    // Last resort: never leave children behind when this process exits for any reason.
    process.on('exit', () => {
      for (const child of this.children) if (child.alive) safeKill(child.process.pid, 'SIGKILL');
    });
  }

  /**
   * A node service (`entry`), or any `command` with `args` (a redis-server). `late`: stopped only
   * after every other child has stopped (what the others still use while they drain).
   */
  start({ name, entry, cwd, env, command = process.execPath, args = [entry], late = false }) {
    const colour = PREFIX_COLOURS[this.children.length % PREFIX_COLOURS.length];
    const prefix = `${colour(name.padEnd(this.prefixWidth))} ${c.dim('│')} `;
    // Its own process group: Ctrl-C in the terminal reaches only this script, which then stops the
    // children once, in order (a second SIGINT would make a service exit without draining).
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const record = { name, process: child, alive: true, exit: null, prefix, late };
    record.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        record.alive = false;
        record.exit = { code, signal };
        resolve(record.exit);
        if (!this.stopping) this.onUnexpectedExit(record);
      });
    });
    child.on('error', (error) => {
      process.stderr.write(`${prefix}${c.red(`could not start: ${error.message}`)}\n`);
    });
    for (const stream of [child.stdout, child.stderr]) {
      const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
      lines.on('line', (line) => {
        const out = stream === child.stderr ? process.stderr : process.stdout;
        for (const part of formatLogLine(line).split('\n')) out.write(`${prefix}${part}\n`);
      });
    }
    this.children.push(record);
    return record;
  }

  /**
   * Resolves once GET <healthUrl> answers 200 (or, with `anyAnswer`, any status below 500);
   * rejects when the child exits first or the time runs out.
   */
  async waitHealthy(record, healthUrl, { timeoutMs = 60_000, anyAnswer = false } = {}) {
    const deadline = Date.now() + timeoutMs;
    let lastError = 'no answer yet';
    while (Date.now() < deadline) {
      if (!record.alive) throw new Error(`${record.name} exited (${describeExit(record.exit)}) before it was healthy`);
      try {
        const response = await fetch(healthUrl, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer().catch(() => {});
        if (response.status === 200 || (anyAnswer && response.status < 500)) return;
        lastError = `HTTP ${response.status}`;
      } catch (error) {
        lastError = error.cause?.code ?? error.message;
      }
      await Promise.race([sleep(250), record.exited]);
    }
    throw new Error(`${record.name} did not answer ${healthUrl} within ${Math.round(timeoutMs / 1000)} s (${lastError})`);
  }

  /** SIGTERM to every running child, then SIGKILL to those still running after graceMs; the `late` ones last. */
  async stopAll({ graceMs = 12_000, log = () => {} } = {}) {
    this.stopping = true;
    await this.stopGroup(this.children.filter((child) => !child.late), { graceMs, log });
    await this.stopGroup(this.children.filter((child) => child.late), { graceMs, log });
  }

  async stopGroup(children, { graceMs, log }) {
    const running = children.filter((child) => child.alive);
    if (running.length === 0) return;
    log(`stopping ${running.map((child) => child.name).join(', ')}`);
    for (const child of running) safeKill(child.process.pid, 'SIGTERM');
    const all = Promise.all(running.map((child) => child.exited));
    const timedOut = await Promise.race([all.then(() => false), sleep(graceMs).then(() => true)]);
    if (timedOut) {
      const stuck = running.filter((child) => child.alive);
      log(`${stuck.map((child) => child.name).join(', ')} did not stop within ${Math.round(graceMs / 1000)} s: killing`);
      for (const child of stuck) safeKill(child.process.pid, 'SIGKILL');
      await Promise.race([all, sleep(2000)]);
    }
  }

  /** Immediately SIGKILL every child (a second Ctrl-C). */
  killAll() {
    this.stopping = true;
    for (const child of this.children) if (child.alive) safeKill(child.process.pid, 'SIGKILL');
  }
}

export function describeExit(exit) {
  if (!exit) return 'still running';
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

function safeKill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
