import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { API_SCHEMA_PATH, readApiSchema } from './tools/api-schema';

const API_SCHEMA_ID = 'virtual:clinicult-api-schema';

function apiSchemaPlugin(): Plugin {
  const resolved = `\0${API_SCHEMA_ID}`;
  return {
    name: 'clinicult-api-schema',
    resolveId: (id) => (id === API_SCHEMA_ID ? resolved : null),
    load(id) {
      if (id !== resolved) return null;
      this.addWatchFile(API_SCHEMA_PATH);
      return `export default ${JSON.stringify(readApiSchema())};`;
    },
  };
}

/**
 * One summary after the build: what the first page load costs (the entry and what it imports
 * statically, with its CSS) and what is loaded on demand (the playground's chunks).
 */
function bundleSizePlugin(): Plugin {
  let summary = '';
  return {
    name: 'clinicult-bundle-sizes',
    apply: 'build',
    writeBundle(_options, bundle) {
      const size = (text: string | Uint8Array) => (typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength);
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
      const initial = new Set<string>();
      const visit = (name: string) => {
        const file = bundle[name];
        if (!file || initial.has(name)) return;
        initial.add(name);
        if (file.type === 'chunk') {
          file.imports.forEach(visit);
          file.viteMetadata?.importedCss.forEach(visit);
        }
      };
      for (const file of Object.values(bundle)) if (file.type === 'chunk' && file.isEntry) visit(file.fileName);
      const totals = { initial: { raw: 0, gzip: 0 }, lazy: { raw: 0, gzip: 0 } };
      for (const file of Object.values(bundle)) {
        if (!/\.(js|css)$/.test(file.fileName)) continue;
        const content = file.type === 'chunk' ? file.code : file.source;
        const bucket = initial.has(file.fileName) ? totals.initial : totals.lazy;
        bucket.raw += size(content);
        bucket.gzip += gzipSync(content).byteLength;
      }
      summary =
        `admin-web bundle sizes: first load (JS + CSS) ${kb(totals.initial.raw)} (gzip ${kb(totals.initial.gzip)}); ` +
        `loaded on demand (GraphQL playground) ${kb(totals.lazy.raw)} (gzip ${kb(totals.lazy.gzip)})`;
    },
    closeBundle() {
      if (summary) console.log(`\n${summary}`);
    },
  };
}
/** `vite` (dev): the runtime config the web server would serve, from GATEWAY_URL. */
function devConfigPlugin(): Plugin {
  return {
    name: 'clinicult-dev-config',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use('/config.js', (_req, res) => {
        const config = {
          gatewayUrl: (process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '').replace(/\/graphql$/, ''),
          clusters: (process.env.CLUSTERS ?? 'eu-1,us-1').split(','),
        };
        res.setHeader('content-type', 'text/javascript; charset=utf-8');
        res.setHeader('cache-control', 'no-store');
        res.end(`window.__CLINICULT_CONFIG__ = ${JSON.stringify(config)};`);
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), apiSchemaPlugin(), bundleSizePlugin(), devConfigPlugin()],
  // react-router and Apollo live in the root node_modules, React 18 beside this app: one React
  resolve: { dedupe: ['react', 'react-dom', 'react/jsx-runtime'] },
  build: {
    outDir: 'dist/public',
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: true,
    // GraphiQL (the playground's own chunk) is large; the first load stays small
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      onwarn(warning, warn) {
        // react-compiler-runtime (GraphiQL's) marks itself "use no memo": harmless once bundled
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  // :3001 is an origin the gateway allows by default (ALLOWED_ORIGINS)
  server: { host: '127.0.0.1', port: 3001, strictPort: true },
});
