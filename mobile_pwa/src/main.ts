import { createApp } from 'vue'
import { registerSW } from 'virtual:pwa-register'
import App from './App.vue'
import { createAppRouter } from './router'
import { createAppI18n } from './i18n'
import { startAutoSync } from './sync/auto'
import { accessToken, loadSession, refreshTokens } from './session'

// Who is logged in comes from IndexedDB first, so the router's guard knows before any screen.
// (No top-level await: the WebViews of older phones lack it.)
void loadSession().then(() => {
  createApp(App).use(createAppRouter()).use(createAppI18n()).mount('#app')
})

// The visit outbox goes out at start, on reconnect, on login and whenever something is queued.
// A 401 means the access token expired while the phone slept: refresh once and go again; a
// disabled account or revoked session wipes the phone (inside refreshTokens).
const sync = startAutoSync({
  getToken: accessToken,
  onReport: (report) => {
    if (report.stopped !== 'auth') return
    void refreshTokens().then((outcome) => {
      if (outcome === 'ok') void sync.kick()
    })
  },
})

// autoUpdate: a new service worker takes over and the page reloads, so a
// fixed release reaches phones the next time they are online.
registerSW({ immediate: true })
