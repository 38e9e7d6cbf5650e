import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { createMetrics } from './metrics.js';
import { requestObserver, type RequestObserverOptions } from './observe.js';

/** A real express app on loopback with the observer in front, logging into an array. */
async function appWith(options: Omit<RequestObserverOptions, 'metrics' | 'accessLog'>) {
  const lines: Array<{ level: number; msg: string; status: number; reqId: string }> = [];
  const sink = new Writable({ write: (chunk, _enc, done) => { lines.push(JSON.parse(String(chunk))); done(); } });
  const logger = pino({ level: 'info' }, sink);
  const app = express();
  app.use(requestObserver({ metrics: createMetrics(`observe-test-${Math.random().toString(36).slice(2)}`), accessLog: logger, ...options }));
  app.get('/ok', (_req, res) => void res.send('ok'));
  app.get('/slow', (_req, res) => void setTimeout(() => res.send('late'), 60));
  app.get('/broken', (_req, res) => void res.status(503).send('down'));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string) => {
    const response = await fetch(base + path);
    await response.text();
    await new Promise((resolve) => setImmediate(resolve));
    return response.headers.get('x-request-id');
  };
  return { lines, get, close: () => new Promise((resolve) => server.close(resolve)) };
}

test('at info (the gateway) every request is one line with its request id', async () => {
  const app = await appWith({});
  try {
    const id = await app.get('/ok');
    expect(app.lines).toEqual([expect.objectContaining({ level: 30, msg: 'request', status: 200, reqId: id })]);
  } finally {
    await app.close();
  }
});

test('at debug (a subgraph) a quick success is not logged, a slow one and a 5xx are', async () => {
  const app = await appWith({ accessLevel: 'debug', slowMs: 50 });
  try {
    await app.get('/ok');
    expect(app.lines).toEqual([]);
    await app.get('/slow');
    await app.get('/broken');
    expect(app.lines.map((l) => [l.level, l.status])).toEqual([[30, 200], [40, 503]]);
  } finally {
    await app.close();
  }
});
