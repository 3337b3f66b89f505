import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { contentSecurityPolicy } from './electron/security.ts';

const root = fileURLToPath(new URL('./renderer', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/renderer', import.meta.url));

/**
 * The app's one policy (electron/security.ts), which Electron and the web server also send as a
 * header. In the built page it holds wherever the page is opened, so the end-to-end tests fail
 * loudly on any inline script or eval. Only at build: the dev server's React refresh preamble is an
 * inline script.
 */
const CSP = contentSecurityPolicy('meta');

function cspMeta(): Plugin {
  return {
    name: 'smsdesk-csp-meta',
    apply: 'build',
    transformIndexHtml(html) {
      return html.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`);
    },
  };
}

const devApi = process.env.SMSDESK_API;

export default defineConfig({
  root,
  base: './',
  plugins: [react(), cspMeta()],
  worker: { format: 'es' },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'chrome120',
    chunkSizeWarningLimit: 1500,
    // The CSP forbids inline scripts: never let Vite inline a small asset as a data: script.
    assetsInlineLimit: 0,
  },
  server: {
    host: '127.0.0.1',
    fs: { allow: [fileURLToPath(new URL('.', import.meta.url))] },
    // `SMSDESK_API=http://127.0.0.1:PORT npx vite`: the dev page talks to a running `npm run web`
    // (open the dev page with that server's ?key=…), so components are developed against the real engine.
    proxy: devApi
      ? {
          '/api': {
            target: devApi,
            changeOrigin: true,
            // The bridge refuses calls from another origin; through this proxy they are ours.
            configure: (proxy) => {
              proxy.on('proxyReq', (req) => {
                if (req.getHeader('origin')) req.setHeader('origin', devApi);
              });
            },
          },
        }
      : undefined,
  },
});
