import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { AuthError, type Logger } from '@clinicult/kit';
import { clientAddress } from '../edge.js';
import type { Caller } from '@clinicult/rbac';
import { allows, missing, type Interaction } from './access.js';
import { capabilityStatement, smartConfiguration } from './capability.js';
import type { FhirContext, FhirResult } from './context.js';
import { patientEverything } from './everything.js';
import type { Execute } from './graphql.js';
import { FhirError, forbidden, operationOutcome, unauthorized } from './outcome.js';
import { isLenient, parseSearch, type SearchRequest } from './params.js';
import { addIncludes } from './include.js';
import { BY_TYPE, type ResourceHandler } from './registry.js';
import { parseShape, shapeBody } from './shape.js';

export interface FhirRouterOptions {
  /** Verifies the bearer token exactly as /graphql does (signature, claims, session facts). */
  authenticate(authorization: string | undefined): Promise<Caller>;
  execute: Execute;
  maxBodyBytes: number;
  logger: Logger;
  /** counts refused tokens in the gateway's metrics */
  onAuthFailure?(reason: string): void;
  /**
   * The server's public address (PUBLIC_URL), for Bundle links and `Location`: never the request's
   * Host header, which the caller chooses.
   */
  publicUrl(): string;
}

const FHIR_JSON = 'application/fhir+json';
const JSON_TYPES = new Set([FHIR_JSON, 'application/json', 'json', 'application/json+fhir', 'text/json']);
const XML_TYPES = new Set(['xml', 'application/fhir+xml', 'application/xml', 'text/xml', 'application/xml+fhir']);
const STARTED = new Date().toISOString();

function mediaTypes(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((part) => part.split(';')[0]!.trim().toLowerCase())
    .filter((t) => t !== '');
}

/**
 * The content type of the answer, or a 406 for what this server does not speak (XML, RDF…).
 * `_format` overrides Accept (FHIR R4 3.1.0.1.10).
 */
function negotiate(req: Request): string {
  const format = new URL(req.originalUrl, 'http://x').searchParams.get('_format');
  if (format !== null) {
    const f = format.trim().toLowerCase();
    if (JSON_TYPES.has(f)) return f === 'application/json' ? 'application/json' : FHIR_JSON;
    throw new FhirError(406, 'not-supported', XML_TYPES.has(f) ? 'XML is not supported: this server speaks FHIR JSON only (_format=json).' : `_format=${format} is not supported: use json.`);
  }
  const accepted = mediaTypes(req.header('accept'));
  if (accepted.length === 0 || accepted.some((t) => t === '*/*' || t === 'application/*' || t === FHIR_JSON)) return FHIR_JSON;
  if (accepted.some((t) => JSON_TYPES.has(t))) return 'application/json';
  throw new FhirError(
    406,
    'not-supported',
    accepted.some((t) => XML_TYPES.has(t)) ? 'XML is not supported: this server speaks FHIR JSON only (application/fhir+json).' : 'Accept: this server answers application/fhir+json (or application/json) only.',
  );
}

function send(res: Response, contentType: string, result: FhirResult, pretty = false): void {
  res.status(result.status ?? 200);
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  if (result.body === undefined) {
    res.end();
    return;
  }
  const text = pretty ? JSON.stringify(result.body, null, 2) : JSON.stringify(result.body);
  res.setHeader('content-type', `${contentType}; charset=utf-8`);
  res.setHeader('content-length', Buffer.byteLength(text));
  // not res.send: it would hash every body into an ETag of its own; a resource's ETag is its
  // version (W/"n", set above), and a search Bundle changes with every write anyway
  res.end(text);
}

function sendError(res: Response, contentType: string, error: FhirError): void {
  const body: Resource = operationOutcome([{ code: error.code, text: error.message, expression: error.expression }]);
  send(res, contentType, { status: error.status, headers: error.headers, body });
}

const methodNotAllowed = (allowed: string[], what: string) =>
  new FhirError(405, 'not-supported', `${what} is not supported. Allowed: ${allowed.join(', ')}.`, { allow: allowed.join(', ') });

/**
 * The FHIR R4 REST facade (/fhir). Each request is authenticated like /graphql and then runs as
 * GraphQL operations through the gateway's own pipeline with the caller's token.
 */
export function fhirRouter(options: FhirRouterOptions): Router {
  const router = express.Router();
  const jsonBody = express.json({ type: () => true, limit: options.maxBodyBytes, strict: true });
  const formBody = express.urlencoded({ type: () => true, limit: options.maxBodyBytes, extended: false });

  // SMART discovery: plain JSON for any client, no token (it says where tokens come from)
  router.get('/.well-known/smart-configuration', (_req: Request, res: Response) => {
    res.set('cache-control', 'public, max-age=3600').json(smartConfiguration(options.publicUrl()));
  });

  router.use((req: Request, res: Response, next: NextFunction) => {
    res.setHeader('cache-control', 'no-store');
    let contentType = FHIR_JSON;
    try {
      contentType = negotiate(req);
      res.locals.fhirContentType = contentType;
    } catch (error) {
      sendError(res, contentType, error as FhirError);
      return;
    }
    if (req.method !== 'POST' && req.method !== 'PUT') return next();
    const type = mediaTypes(req.header('content-type'))[0];
    const isSearch = req.method === 'POST' && req.path.endsWith('/_search');
    if (isSearch) {
      if (type !== undefined && type !== 'application/x-www-form-urlencoded') {
        sendError(res, contentType, new FhirError(415, 'not-supported', 'POST _search takes application/x-www-form-urlencoded.'));
        return;
      }
      formBody(req, res, next);
      return;
    }
    if (type === undefined || !JSON_TYPES.has(type)) {
      sendError(
        res,
        contentType,
        new FhirError(415, 'not-supported', `Content-Type ${type ?? '(none)'} is not supported: send application/fhir+json (or application/json).`),
      );
      return;
    }
    jsonBody(req, res, next);
  });

  router.use(async (req: Request, res: Response) => {
    const contentType = res.locals.fhirContentType as string;
    try {
      const shape = parseShape(new URL(req.originalUrl, 'http://x').searchParams);
      const result = await dispatch(req, res, options);
      send(res, contentType, result.body ? { ...result, body: shapeBody(result.body, shape) } : result, shape.pretty);
    } catch (error) {
      if (error instanceof FhirError) {
        if (error.status >= 500) options.logger.error({ err: error, reqId: res.locals.requestId }, 'FHIR request failed');
        sendError(res, contentType, error);
        return;
      }
      options.logger.error({ err: error, reqId: res.locals.requestId }, 'FHIR request failed');
      sendError(res, contentType, new FhirError(500, 'exception', 'Internal server error'));
    }
  });

  // body parser failures (invalid JSON, too large) as OperationOutcome
  router.use((error: { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const contentType = (res.locals.fhirContentType as string | undefined) ?? FHIR_JSON;
    if (error?.status === 413) {
      sendError(res, contentType, new FhirError(413, 'too-costly', `The request body is larger than ${options.maxBodyBytes} bytes.`));
    } else if (typeof error?.status === 'number' && error.status < 500) {
      sendError(res, contentType, new FhirError(400, 'structure', 'The request body is not valid JSON.'));
    } else {
      options.logger.error({ err: error, reqId: res.locals.requestId }, 'FHIR request failed');
      sendError(res, contentType, new FhirError(500, 'exception', 'Internal server error'));
    }
  });
  return router;
}

async function authenticate(req: Request, res: Response, options: FhirRouterOptions): Promise<FhirContext['who']> {
  const authorization = req.header('authorization') || undefined;
  let caller: Caller;
  try {
    caller = await options.authenticate(authorization);
  } catch (error) {
    if (error instanceof AuthError) {
      options.onAuthFailure?.(error.reason);
      throw unauthorized(error.reason, error.message);
    }
    throw error;
  }
  if (caller.kind === 'anonymous' || !authorization) {
    options.onAuthFailure?.('TOKEN_MISSING');
    throw unauthorized('TOKEN_MISSING', 'Sign in first: FHIR requests need an access token (Authorization: Bearer …).');
  }
  return { caller, authorization, requestId: res.locals.requestId as string, clientIp: clientAddress(req) };
}

function searchOptions(ctx: FhirContext, handler: ResourceHandler) {
  return { lenient: ctx.lenient, sorts: handler.sorts, includes: Object.keys(handler.includes ?? {}), revincludes: handler.revincludes };
}

/** A search, with the resources its matches refer to (or that refer to them) when asked. */
async function runSearch(ctx: FhirContext, handler: ResourceHandler, search: SearchRequest): Promise<FhirResult> {
  const result = await handler.search(ctx, search);
  if (!result.body || result.body.resourceType !== 'Bundle') return result;
  return { ...result, body: await addIncludes(ctx, handler, search, result.body as Bundle, { byType: BY_TYPE }) };
}

/**
 * A conditional create (FHIR R4 3.1.0.8.1, `If-None-Exist: identifier=urn:clinicult:mrn|…`): the
 * header is a search of the type; none found creates, one found answers it (200, nothing
 * created), several are 412. The search needs the caller's read (or scope) of the type besides the
 * create's, since it tells whether a record exists.
 */
async function conditionalCreate(ctx: FhirContext, handler: ResourceHandler, condition: string, body: unknown): Promise<FhirResult> {
  if (!allows(ctx.who.caller, handler.type, 'search')) throw forbidden(missing(ctx.who.caller, handler.type, 'search'));
  const query = new URLSearchParams(condition.replace(/^\?/, ''));
  if ([...query.keys()].length === 0 || [...query.keys()].some((k) => k.startsWith('_'))) {
    throw new FhirError(400, 'invalid', 'If-None-Exist: give search parameters of the resource, e.g. identifier=urn:clinicult:national-id|12345678Z.');
  }
  query.set('_count', '2');
  const found = (await handler.search({ ...ctx, lenient: false }, parseSearch(query, handler.params, { lenient: false }))).body as Bundle;
  const matches = (found.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!);
  if (matches.length === 0) return handler.create!(ctx, body);
  if (matches.length > 1 || (found.total ?? 0) > 1) {
    throw new FhirError(412, 'duplicate', `If-None-Exist matches ${found.total} ${handler.type} resources: make the condition select one.`);
  }
  const existing = matches[0]!;
  const headers: Record<string, string> = {
    location: `${ctx.base}/${handler.type}/${existing.id}${existing.meta?.versionId ? `/_history/${existing.meta.versionId}` : ''}`,
    ...(existing.meta?.versionId ? { etag: `W/"${existing.meta.versionId}"` } : {}),
  };
  return { status: 200, headers, body: /return=minimal/i.test(ctx.prefer ?? '') ? undefined : existing };
}

/** What a request does, for the permission and scope check (methods not allowed are refused later, after it). */
function interactionOf(method: string, id: string | undefined, op: string | undefined): Interaction {
  if (id === undefined) return method === 'POST' ? 'create' : 'search';
  if (id === '_search' && op === undefined) return 'search';
  if (method === 'PUT') return 'update';
  return 'read';
}

async function dispatch(req: Request, res: Response, options: FhirRouterOptions): Promise<FhirResult> {
  const url = new URL(req.originalUrl, 'http://x');
  let segments: string[];
  try {
    segments = req.path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch {
    throw new FhirError(400, 'invalid', 'The URL is not valid.');
  }
  const base = `${options.publicUrl().replace(/\/+$/, '')}${req.baseUrl}`;
  const method = req.method;

  if (segments.length === 1 && segments[0] === 'metadata') {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(['GET'], `${method} /metadata`);
    return { body: capabilityStatement(base, STARTED, options.publicUrl()) };
  }
  if (segments.length === 0) {
    throw new FhirError(501, 'not-supported', 'System-level interactions (batch, transaction, system search, history) are not supported.');
  }
  const [type, id, op, version] = segments as [string, string | undefined, string | undefined, string | undefined];
  const handler: ResourceHandler | undefined = BY_TYPE.get(type);
  if (!handler) {
    throw new FhirError(404, 'not-supported', `This server does not serve ${type} resources (see /metadata).`);
  }

  const who = await authenticate(req, res, options);
  // the permission (a client: the scope) is decided from the token before any data is read
  // (docs/fhir.md): without it, 403 whether or not there would have been anything to show
  const interaction = interactionOf(method, id, op);
  if (!allows(who.caller, type, interaction)) throw forbidden(missing(who.caller, type, interaction));
  const ctx: FhirContext = {
    who,
    execute: options.execute,
    base,
    lenient: isLenient(req.header('prefer')),
    ifMatch: req.header('if-match') || undefined,
    prefer: req.header('prefer') || undefined,
  };

  const search = (params: URLSearchParams) => runSearch(ctx, handler, parseSearch(params, handler.params, searchOptions(ctx, handler)));
  if (id === undefined) {
    if (method === 'GET') return search(url.searchParams);
    if (method === 'POST' && handler.create) {
      const condition = req.header('if-none-exist');
      return condition === undefined ? handler.create(ctx, req.body) : conditionalCreate(ctx, handler, condition, req.body);
    }
    throw methodNotAllowed(handler.create ? ['GET', 'POST'] : ['GET'], `${method} ${type}`);
  }
  if (id === '_search' && op === undefined) {
    if (method !== 'POST') throw methodNotAllowed(['POST'], `${method} ${type}/_search`);
    const params = new URLSearchParams(url.searchParams);
    for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, string | string[]>)) {
      for (const value of Array.isArray(v) ? v : [v]) params.append(k, value);
    }
    return search(params);
  }
  if (id.startsWith('$') || id.startsWith('_')) throw new FhirError(501, 'not-supported', `${type}/${id} is not supported.`);
  if (op === undefined) {
    if (method === 'GET' || method === 'HEAD') return handler.read(ctx, id);
    if (method === 'PUT' && handler.update) return handler.update(ctx, id, req.body);
    throw methodNotAllowed(handler.update ? ['GET', 'PUT'] : ['GET'], `${method} ${type}/${id}`);
  }
  if (op === '$everything' && type === 'Patient' && version === undefined) {
    if (method !== 'GET') throw methodNotAllowed(['GET'], `${method} Patient/${id}/$everything`);
    return patientEverything(ctx, id, url.searchParams);
  }
  if (op === '_history' && version !== undefined && segments.length === 4 && handler.vread) {
    if (method !== 'GET') throw methodNotAllowed(['GET'], `${method} ${type}/${id}/_history/${version}`);
    return handler.vread(ctx, id, version);
  }
  if (op === '_history' && version === undefined && segments.length === 3 && handler.history) {
    if (method !== 'GET') throw methodNotAllowed(['GET'], `${method} ${type}/${id}/_history`);
    return handler.history(ctx, id);
  }
  if (op === '_history') throw new FhirError(501, 'not-supported', `History is kept for Patient only; ${type} resources have their current version.`);
  throw new FhirError(501, 'not-supported', `${segments.join('/')} is not supported.`);
}
