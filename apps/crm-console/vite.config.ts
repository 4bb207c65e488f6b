/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// `npm run dev` serves the console on :5173 and forwards the API to a running gateway
// (CRM_GATEWAY_URL, default http://127.0.0.1:8080), so cookies, CORS and paths are as in
// production, where the gateway serves both.
const gateway = process.env.CRM_GATEWAY_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  server: {
    proxy: {
      '/api': { target: gateway, changeOrigin: false },
      '/healthz': gateway,
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    // Greek staff use current browsers; no legacy build.
    target: 'es2022',
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
