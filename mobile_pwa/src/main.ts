import { createApp } from 'vue'
import { registerSW } from 'virtual:pwa-register'
import App from './App.vue'
import { createAppRouter } from './router'
import { createAppI18n } from './i18n'
import { startAutoSync } from './sync/auto'

createApp(App).use(createAppRouter()).use(createAppI18n()).mount('#app')

// The visit outbox goes out at start, on reconnect, on login and whenever something is queued.
// Reports are not shown yet (the outbox screens come later); the records carry their state.
startAutoSync()

// autoUpdate: a new service worker takes over and the page reloads, so a
// fixed release reaches phones the next time they are online.
registerSW({ immediate: true })
