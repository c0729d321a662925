import { createApp, watch } from 'vue'
import { registerSW } from 'virtual:pwa-register'
import App from './App.vue'
import { createAppRouter } from './router'
import { createAppI18n } from './i18n'
import { startAutoSync } from './sync/auto'
import { startRequestSync } from './sync/requests'
import { senders } from './sync/running'
import { accessToken, loadSession, refreshTokens, session } from './session'
import { refreshCases, refreshMyCases } from './cases'
import { refreshNotifications } from './notifications'
import { refreshClassChildren } from './classChildren'
import { reportsAbsences, showsStatistics, sweeps } from './roles'
import { assessmentLevels, refreshStatistics } from './statistics'
import { downloadPackage } from './workPackage'

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

// Case writes (reports, attempts, follow-ups, reads) go out on the same occasions, one at a
// time; the cases they touched are read again. Both senders are kept for 立即上传.
senders.visits = sync
senders.requests = startRequestSync({ afterSent: (ids) => refreshCases(ids) })

// The home page counts my cases and unread messages from the cache (and a teacher reports
// from the class kept on the phone, a cadre visits from the work package, the heads of an area
// or school read its figures): refresh them at
// start and login (session.me set) and on reconnect. The package comes as a delta, or a 304
// when nothing changed. Offline it simply fails and the cache stays.
function refreshCaches() {
  if (!session.me || navigator.onLine === false || session.me.must_change_password) return
  const { role } = session.me
  void Promise.allSettled([
    refreshMyCases(),
    refreshNotifications(),
    reportsAbsences(role) ? refreshClassChildren() : null,
    sweeps(role) ? downloadPackage() : null,
    showsStatistics(role) ? refreshStatistics(null, { levels: assessmentLevels(null, session.me) }) : null,
  ])
}
watch(() => [session.me?.id, session.me?.must_change_password], refreshCaches)
window.addEventListener('online', refreshCaches)

// autoUpdate: a new service worker takes over and the page reloads, so a
// fixed release reaches phones the next time they are online.
registerSW({ immediate: true })
