#!/usr/bin/env node
// Another federation gateway on the platform's own subgraphs, for `npm run bench -- --gateways`:
//   node bench/lib/other-gateway.mjs apollo|hive <port>
// It serves the same supergraph (schema/supergraph.graphql) and forwards the caller's
// `authorization` to every subgraph (each verifies the token itself), nothing else: no query
// limits, no edge token, no FHIR facade, no access log. What it measures is the query planning,
// the subgraph calls and the result shaping of each gateway, on the same work.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [kind, port = '4100'] = process.argv.slice(2);
const supergraphSdl = readFileSync(path.join(root, 'schema/supergraph.graphql'), 'utf8');

async function apolloGateway() {
  // the gateway package's own copies, so that @apollo/server and @apollo/gateway match the project's
  const { createRequire } = await import('node:module');
  const require = createRequire(path.join(root, 'gateway/package.json'));
  const { ApolloGateway, RemoteGraphQLDataSource } = require('@apollo/gateway');
  const { ApolloServer } = require('@apollo/server');
  const { startStandaloneServer } = require('@apollo/server/standalone');
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer({ gateway, introspection: false });
  await startStandaloneServer(server, {
    listen: { port: Number(port), host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
}

async function hiveGateway() {
  const { createGatewayRuntime } = await import('@graphql-hive/gateway-runtime');
  const runtime = createGatewayRuntime({
    supergraph: supergraphSdl,
    // the HTTP transport handed over (its own lookup by package name fails outside the Hive CLI)
    transports: { http: import('@graphql-mesh/transport-http') },
    logging: process.env.HIVE_LOG === '1' ? 'debug' : false,
    maskedErrors: process.env.HIVE_LOG !== '1',
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => {
        const authorization = request.headers.get('authorization');
        return authorization ? { authorization } : {};
      },
    },
  });
  await new Promise((resolve) => http.createServer(runtime).listen(Number(port), '127.0.0.1', resolve));
}

if (kind === 'apollo') await apolloGateway();
else if (kind === 'hive') await hiveGateway();
else {
  console.error('usage: other-gateway.mjs apollo|hive <port>');
  process.exit(2);
}
console.log(`${kind} gateway on http://127.0.0.1:${port}/graphql`);
