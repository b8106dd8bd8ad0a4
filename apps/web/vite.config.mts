import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API serves the built dashboard from the same origin; the dev server proxies every API path
// to it (API_URL, default the API's own default address) so cookies and CSRF work as in production.
const api = process.env['API_URL'] ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: '../../dist/apps/web',
    emptyOutDir: true,
    assetsDir: 'ui/assets',
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
    // Names each route's files, so bench:web can weigh what the overview needs.
    manifest: true,
  },
  server: {
    port: 4200,
    proxy: {
      '^/(?!ui(/|$)|sign-in|invitation|password-reset|@|src/|node_modules/).+': { target: api, changeOrigin: false },
    },
  },
});
