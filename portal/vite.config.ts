import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

/**
 * The portal's build: Vue single-file components into `dist/portal` at the repository root (`root` is portal/,
 * as scripts/build-portal.mjs sets it). Served by the express app under a strict Content-Security-Policy
 * (script-src 'self'): no inline scripts, no eval, which Vue's precompiled templates and vue-i18n's JIT message
 * compiler need neither of.
 */
export default defineConfig({
  base: '/',
  plugins: [vue()],
  // Compile-time flags of Vue and vue-i18n: the Composition API only, no devtools hooks in production.
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __INTLIFY_JIT_COMPILATION__: 'true',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'false',
  },
  build: {
    outDir: '../dist/portal',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // Element Plus and Vue together are one vendor chunk of about 300 kB (gzip about 100 kB); pages are split.
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
  server: {
    // `npx vite portal` during development: the API is the express app on its default port.
    proxy: {
      '/v1': 'http://127.0.0.1:8080',
      '/oid4vci': 'http://127.0.0.1:8080',
      '/oid4vp': 'http://127.0.0.1:8080',
      '/.well-known': 'http://127.0.0.1:8080',
      '/vct': 'http://127.0.0.1:8080',
      '/status-lists': 'http://127.0.0.1:8080',
    },
  },
})
