import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/** Dev mode: /config.js as the web server would send it (GATEWAY_URL, default http://127.0.0.1:4000). */
function runtimeConfig(): Plugin {
  return {
    name: 'clinicult-runtime-config',
    configureServer(server) {
      server.middlewares.use('/config.js', (_req, res) => {
        const gatewayUrl = (process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '').replace(/\/graphql$/, '');
        res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
        res.setHeader('Cache-Control', 'no-store');
        res.end(`window.__CLINICULT_CONFIG__ = Object.freeze(${JSON.stringify({ gatewayUrl })});\n`);
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), runtimeConfig()],
  // one copy of React for the app and the libraries hoisted at the repository root
  resolve: { dedupe: ['react', 'react-dom', 'react/jsx-runtime'] },
  // :3000 is an origin the gateway allows by default (ALLOWED_ORIGINS)
  server: { host: '127.0.0.1', port: 3000, strictPort: true },
  build: {
    outDir: 'dist/public',
    emptyOutDir: true,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 600,
    sourcemap: false,
  },
});
