import { createRequire } from 'node:module';
import path from 'node:path';
import type { Express, Request, Response } from 'express';

/**
 * An offline GraphQL playground for development: GraphiQL 3 and React 18 UMD builds served by the
 * gateway itself from node_modules (no CDN; Apollo's own landing page loads from the internet and
 * is disabled). Never mounted in production.
 */
const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

const ASSETS: Record<string, { file: () => string; type: string }> = {
  'react.js': { file: () => path.join(packageDir('react'), 'umd', 'react.production.min.js'), type: 'text/javascript' },
  'react-dom.js': {
    file: () => path.join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'),
    type: 'text/javascript',
  },
  'graphiql.js': { file: () => path.join(packageDir('graphiql'), 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.css': { file: () => path.join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css' },
};

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Clinicult GraphQL playground</title>
  <link rel="stylesheet" href="/playground/assets/graphiql.css">
  <link rel="stylesheet" href="/playground/assets/playground.css">
</head>
<body>
  <header id="bar">
    <strong>Clinicult</strong> GraphQL playground <small>(development only)</small>
    <label for="token">Bearer token</label>
    <input id="token" type="password" autocomplete="off" spellcheck="false"
           placeholder="paste an access token (filled in after a login in this playground)">
    <button id="clear" type="button">Clear</button>
  </header>
  <main id="graphiql">Loading GraphiQL…</main>
  <script src="/playground/assets/react.js"></script>
  <script src="/playground/assets/react-dom.js"></script>
  <script src="/playground/assets/graphiql.js"></script>
  <script src="/playground/assets/playground.js"></script>
</body>
</html>
`;

const CSS = `html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
#bar { display: flex; gap: .6rem; align-items: center; padding: .4rem .8rem; border-bottom: 1px solid #ddd; font-size: 14px; }
#bar small { color: #777; }
#bar label { margin-left: auto; }
#token { width: 28rem; max-width: 45vw; font-family: monospace; }
#graphiql { flex: 1; min-height: 0; }
`;

const DEFAULT_QUERY = `# Sign in here: the token in the answer fills "Bearer token" above
# and is sent with every later request.
mutation Login {
  login(email: "admin@example.org", password: "change me") {
    token
    expiresAt
    clinicId
    roles
  }
}
`;

const BOOT = `(function () {
  'use strict';
  var KEY = 'clinicult.playground.token';
  var input = document.getElementById('token');
  input.value = sessionStorage.getItem(KEY) || '';
  function setToken(value) { input.value = value; sessionStorage.setItem(KEY, value); }
  input.addEventListener('input', function () { setToken(input.value.trim()); });
  document.getElementById('clear').addEventListener('click', function () { setToken(''); });

  // plain JSON answers (no multipart: the gateway does not serve @defer), so a login can be read
  var base = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.href).href, enableIncrementalDelivery: false });
  function fetcher(params, options) {
    var headers = Object.assign({}, options && options.headers);
    var hasAuth = Object.keys(headers).some(function (k) { return k.toLowerCase() === 'authorization'; });
    var token = input.value.trim().replace(/^Bearer\\s+/i, '');
    if (token && !hasAuth) headers.authorization = 'Bearer ' + token;
    var result = base(params, Object.assign({}, options, { headers: headers }));
    if (result && typeof result.then === 'function') {
      result.then(function (body) {
        var data = body && body.data;
        var payload = data && (data.login || data.switchClinic || data.acceptInvitation);
        if (payload && typeof payload.token === 'string') setToken(payload.token);
      }, function () {});
    }
    return result;
  }
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: ${JSON.stringify(DEFAULT_QUERY)} }),
  );
})();
`;

/** Whether a GET is a browser asking for a page rather than a client asking for JSON. */
export function wantsHtml(req: Request): boolean {
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

export function mountPlayground(app: Express): void {
  const page = (_req: Request, res: Response) => {
    res.setHeader('content-security-policy', CSP);
    res.setHeader('cache-control', 'no-cache');
    res.type('html').send(HTML);
  };
  app.get('/playground', page);
  app.get('/favicon.ico', (_req, res) => void res.status(204).end());
  app.get('/graphql', (req, res, next) => {
    if (typeof req.query.query === 'string' || !wantsHtml(req)) return next();
    page(req, res);
  });
  app.get('/playground/assets/:name', (req, res, next) => {
    const name = req.params.name;
    if (name === 'playground.js') return void res.type('text/javascript').setHeader('cache-control', 'no-cache').send(BOOT);
    if (name === 'playground.css') return void res.type('text/css').setHeader('cache-control', 'no-cache').send(CSS);
    const asset = ASSETS[name];
    if (!asset) return next();
    res.type(asset.type);
    res.sendFile(asset.file(), { maxAge: '1d' }, (error) => {
      if (error) next(error);
    });
  });
}
