import type express from 'express';
import type { Logger } from './logger.js';

/**
 * The last handlers of every service's HTTP app, so that no request is answered by Express's own
 * HTML pages (which name the error and, outside production, print its stack): an unknown route is a
 * JSON 404, a body that is not JSON (or too large) a JSON 400/413, anything else a generic 500.
 */
export function notFoundHandler(): express.RequestHandler {
  return (req, res) => {
    res.status(404).json({ errors: [{ message: `No route for ${req.method} ${req.path}`, extensions: { code: 'NOT_FOUND' } }] });
  };
}

export function errorHandler(logger: Logger, maxBodyBytes: number | string): express.ErrorRequestHandler {
  return (error, _req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error, reqId: res.locals.requestId }, 'unhandled error');
    const message =
      status === 413
        ? `The request body is larger than ${maxBodyBytes} bytes.`
        : status < 500
          ? 'The request body is not valid JSON.'
          : 'Internal server error';
    res.status(status).json({ errors: [{ message, extensions: { code: status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR' } }] });
  };
}
