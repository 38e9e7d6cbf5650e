import type { RequestHandler } from 'express';

// the FHIR API's too: a browser FHIR client sends If-Match for a versioned update, If-None-Exist
// for a conditional create, Prefer, and reads ETag, Location and Last-Modified (issue 18)
const ALLOWED_HEADERS = 'authorization, content-type, accept, x-request-id, apollo-require-preflight, if-match, if-none-exist, if-none-match, prefer';
const ALLOWED_METHODS = 'GET, POST, PUT, OPTIONS';
const EXPOSED_HEADERS = 'x-request-id, etag, location, last-modified, content-location';

/**
 * CORS for the web clients (ALLOWED_ORIGINS). Tokens travel in the Authorization header, never in
 * cookies, so credentials are not allowed; an unknown origin simply gets no CORS headers and the
 * browser refuses to read the answer.
 */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    const origin = req.header('origin');
    res.vary('Origin');
    if (origin && allowed.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
      if (req.method === 'OPTIONS' && req.header('access-control-request-method')) {
        res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
        res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
        res.setHeader('access-control-max-age', '600');
        res.status(204).end();
        return;
      }
    } else if (req.method === 'OPTIONS' && req.header('access-control-request-method')) {
      res.status(403).end();
      return;
    }
    next();
  };
}
