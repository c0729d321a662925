import { createApp } from 'vue'
import { registerSW } from 'virtual:pwa-register'
import App from './App.vue'
import { createAppRouter } from './router'
import { createAppI18n } from './i18n'

createApp(App).use(createAppRouter()).use(createAppI18n()).mount('#app')

// autoUpdate: a new service worker takes over and the page reloads, so a
// fixed release reaches phones the next time they are online.
registerSW({ immediate: true })
