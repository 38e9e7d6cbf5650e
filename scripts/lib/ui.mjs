// Terminal output for the repo scripts: colours (off when not a TTY or NO_COLOR is set), step lines,
// and a compact one-line rendering of the services' pino JSON logs. Node built-ins only: these
// scripts run before `npm install` on a fresh clone.

const enabled =
  process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0'
    ? true
    : !process.env.NO_COLOR && process.stdout.isTTY === true;

const code = (open, close) => (text) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : String(text));

export const c = {
  bold: code(1, 22),
  dim: code(2, 22),
  red: code(31, 39),
  green: code(32, 39),
  yellow: code(33, 39),
  blue: code(34, 39),
  magenta: code(35, 39),
  cyan: code(36, 39),
  gray: code(90, 39),
  brightRed: code(91, 39),
  brightGreen: code(92, 39),
  brightYellow: code(93, 39),
  brightBlue: code(94, 39),
  brightMagenta: code(95, 39),
  brightCyan: code(96, 39),
};

/** One colour per child process, in start order. */
export const PREFIX_COLOURS = [
  c.cyan, c.magenta, c.yellow, c.green, c.blue, c.brightMagenta, c.brightCyan, c.brightYellow, c.brightGreen, c.brightBlue,
];

export function step(message) {
  console.log(`${c.bold(c.blue('▸'))} ${c.bold(message)}`);
}

export function ok(message) {
  console.log(`${c.green('✔')} ${message}`);
}

export function warn(message) {
  console.warn(`${c.yellow('!')} ${c.yellow(message)}`);
}

export function fail(message) {
  console.error(`${c.red('✖')} ${c.red(message)}`);
}

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOURS = { 10: c.gray, 20: c.gray, 30: c.green, 40: c.yellow, 50: c.red, 60: c.brightRed };
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'name', 'v']);

/**
 * Renders one pino JSON line as `HH:MM:SS LEVEL message key=value …` (errors with their stack);
 * any other line is returned unchanged. CLINICULT_LOG_FORMAT=json keeps the raw JSON.
 */
export function formatLogLine(line, { raw = process.env.CLINICULT_LOG_FORMAT === 'json' } = {}) {
  if (raw || !line.startsWith('{')) return line;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || typeof entry.level !== 'number') return line;
  const time = typeof entry.time === 'number' ? new Date(entry.time).toTimeString().slice(0, 8) : '';
  const colour = LEVEL_COLOURS[entry.level] ?? ((s) => s);
  const level = colour(LEVELS[entry.level] ?? String(entry.level).padEnd(5));
  const extras = [];
  let stack = '';
  for (const [key, value] of Object.entries(entry)) {
    if (OMITTED.has(key)) continue;
    if ((key === 'err' || key === 'error') && value && typeof value === 'object') {
      extras.push(`${key}=${JSON.stringify(value.message ?? value.type ?? value)}`);
      if (entry.level >= 50 && typeof value.stack === 'string') stack = `\n${c.dim(value.stack)}`;
      continue;
    }
    extras.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  const rest = extras.length ? ` ${c.dim(extras.join(' '))}` : '';
  return `${c.dim(time)} ${level} ${entry.msg ?? ''}${rest}${stack}`;
}
