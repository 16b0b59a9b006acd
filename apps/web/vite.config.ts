import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The entry (`src/main.ts`) starts the first page's requests, then imports the dashboard (`src/start-dashboard.tsx`):
 * a `modulepreload` link in the page has the browser fetch and compile that chunk while the entry runs, as Vite's own
 * links do for an entry's static imports.
 */
function preloadDashboard(): Plugin {
  let base = '/';
  return {
    name: 'slipway-preload-dashboard',
    apply: 'build',
    configResolved(config) {
      base = config.base;
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const chunk = Object.values(context.bundle ?? {}).find(
          (output) => output.type === 'chunk' && output.facadeModuleId?.endsWith('/src/start-dashboard.tsx') === true,
        );
        if (chunk === undefined) throw new Error('no chunk holds src/start-dashboard.tsx');
        return [
          {
            tag: 'link',
            attrs: { rel: 'modulepreload', crossorigin: true, href: `${base}${chunk.fileName}` },
            injectTo: 'head',
          },
        ];
      },
    },
  };
}

// The dashboard builds to static assets (dist/) that slipwayd serves at `/`, on the API's own origin.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), preloadDashboard()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
});
