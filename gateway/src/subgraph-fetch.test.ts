import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { subgraphFetcher } from './subgraph-fetch.js';

/** A real HTTP server on loopback that records the sockets and requests it sees. */
async function server(handler: http.RequestListener) {
  const sockets = new Set<unknown>();
  const srv = http.createServer(handler);
  srv.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/graphql`;
  return { url, sockets, close: () => new Promise<void>((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }) };
}

describe('the subgraph fetcher', () => {
  it('posts the body with its headers and answers status, headers and text', async () => {
    const seen: { method?: string; auth?: string; body?: string } = {};
    const s = await server((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        Object.assign(seen, { method: req.method, auth: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r-1' });
        res.end('{"data":{"ok":true}}');
      });
    });
    const fetcher = subgraphFetcher(2000);
    try {
      const answer = await fetcher(s.url, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"query":"{ok}"}' });
      expect(seen).toEqual({ method: 'POST', auth: 'Bearer t', body: '{"query":"{ok}"}' });
      expect(answer.status).toBe(200);
      expect(answer.ok).toBe(true);
      expect(answer.headers.get('x-request-id')).toBe('r-1');
      expect(await answer.json()).toEqual({ data: { ok: true } });
    } finally {
      await fetcher.close();
      await s.close();
    }
  });

  it('keeps connections alive between calls (30 calls in sequence reuse one or two sockets)', async () => {
    const s = await server((req, res) => { req.resume(); req.on('end', () => res.end('{}')); });
    const fetcher = subgraphFetcher(2000);
    try {
      for (let i = 0; i < 30; i++) await fetcher(s.url, { method: 'POST', body: '{}' });
      // undici may open a second connection while the first is being released; never one per call
      expect(s.sockets.size).toBeLessThanOrEqual(2);
    } finally {
      await fetcher.close();
      await s.close();
    }
  });

  it('answers an error status as it came (the gateway reads the GraphQL errors in it)', async () => {
    const s = await server((_req, res) => { res.writeHead(503); res.end('{"errors":[{"message":"draining"}]}'); });
    const fetcher = subgraphFetcher(2000);
    try {
      const answer = await fetcher(s.url, { method: 'POST', body: '{}' });
      expect(answer.status).toBe(503);
      expect(answer.ok).toBe(false);
      expect(await answer.text()).toContain('draining');
    } finally {
      await fetcher.close();
      await s.close();
    }
  });

  it('gives up on a subgraph that never answers, within its deadline', async () => {
    const s = await server(() => { /* holds the request */ });
    const fetcher = subgraphFetcher(300);
    const started = Date.now();
    try {
      await expect(fetcher(s.url, { method: 'POST', body: '{}' })).rejects.toThrow(/timeout/i);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await fetcher.close();
      await s.close();
    }
  });
});
