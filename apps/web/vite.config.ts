import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dashboard builds to static assets (dist/) that slipwayd serves at `/`, on the API's own origin.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
});
