/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { VitePWA } from 'vite-plugin-pwa'

const THEME_COLOR = '#1989fa' // Vant's primary; also in index.html and scripts/gen-icons.mjs
const BACKGROUND_COLOR = '#f7f8fa'

export default defineConfig({
  plugins: [
    vue(),
    Components({
      resolvers: [VantResolver()],
      dts: 'src/components.d.ts',
    }),
    VitePWA({
      registerType: 'autoUpdate',
      strategies: 'generateSW',
      // main.ts imports virtual:pwa-register itself
      injectRegister: false,
      includeAssets: ['favicon-32x32.png', 'apple-touch-icon-180x180.png'],
      manifest: {
        id: '/',
        name: '保学通',
        short_name: '保学通',
        description: '控辍保学 · 一个都不能少',
        lang: 'zh-CN',
        dir: 'ltr',
        display: 'standalone',
        orientation: 'portrait',
        start_url: '/',
        scope: '/',
        theme_color: THEME_COLOR,
        background_color: BACKGROUND_COLOR,
        icons: [
          { src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png' },
          { src: 'pwa-512x512.png', sizes: '512x512', type: 'image/png' },
          {
            src: 'maskable-icon-512x512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      workbox: {
        // PNGs come in through includeAssets and the manifest icons
        globPatterns: ['**/*.{js,css,html,svg,woff2}'],
        navigateFallback: 'index.html',
        // API calls must reach the network (or fail) rather than get the app shell
        navigateFallbackDenylist: [/^\/api\//],
        cleanupOutdatedCaches: true,
        // The first load is controlled too, so a cadre who goes out of signal right after
        // installing can still open every screen.
        clientsClaim: true,
        // A new release takes over at once (registerSW then reloads the page): with
        // injectRegister off, the plugin does not set this for autoUpdate, and phones kept the
        // old release until every tab of the app was closed.
        skipWaiting: true,
      },
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    // Composition API only; dropping the legacy API and devtools hooks shrinks vue-i18n.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: {
    // Cheap Android phones often run WebViews several years old.
    target: ['chrome87', 'safari14'],
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8000' },
    },
  },
  test: {
    environment: 'happy-dom',
    setupFiles: ['tests/setup.ts'],
    include: ['tests/**/*.spec.ts'],
    // Vant's ESM files import CSS, which Node cannot load; let Vite transform them.
    server: { deps: { inline: ['vant'] } },
  },
})
