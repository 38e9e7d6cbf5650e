import type { RequestHandler } from 'express';

const ALLOWED_HEADERS = 'authorization, content-type, x-request-id, apollo-require-preflight';

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
      res.setHeader('access-control-expose-headers', 'x-request-id');
      if (req.method === 'OPTIONS' && req.header('access-control-request-method')) {
        res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
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
