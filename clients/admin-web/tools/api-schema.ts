import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The public API schema: schema/api.graphql, written by `npm run compose` (schema/compose.mjs) from
 * the same composition as the supergraph — what the gateway serves, without `@inaccessible`
 * elements and the federation plumbing (join__, link__). The playground is given this schema, so
 * it has docs and completion offline and in production, where the gateway answers no
 * introspection; the console's generated operation types are checked against it too.
 */
export const API_SCHEMA_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schema/api.graphql');

export const readApiSchema = (): string => readFileSync(API_SCHEMA_PATH, 'utf8');
