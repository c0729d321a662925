import { createRouter, createWebHistory, type RouterHistory } from 'vue-router'
import HomeView from './views/HomeView.vue'
import { session } from './session'

declare module 'vue-router' {
  interface RouteMeta {
    /** Open without logging in. */
    public?: boolean
    /** Hide the tab bar (forms that take the whole screen). */
    fullscreen?: boolean
  }
}

export function createAppRouter(history: RouterHistory = createWebHistory()) {
  const router = createRouter({
    history,
    routes: [
      { path: '/', name: 'home', component: HomeView, meta: { public: true } },
      // Every other screen is lazy so the first download stays small; the service worker
      // precaches every chunk, so each still opens offline.
      { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
      { path: '/households', name: 'households', component: () => import('./views/HouseholdsView.vue') },
      {
        path: '/households/new',
        name: 'household-new',
        component: () => import('./views/NewHouseholdView.vue'),
        meta: { fullscreen: true },
      },
      { path: '/households/:id', name: 'household', component: () => import('./views/HouseholdView.vue'), props: true },
      {
        path: '/households/:id/visit',
        name: 'visit',
        component: () => import('./views/VisitView.vue'),
        props: true,
        meta: { fullscreen: true },
      },
      { path: '/outbox', name: 'outbox', component: () => import('./views/OutboxView.vue') },
      { path: '/cases', name: 'cases', component: () => import('./views/CasesView.vue') },
      { path: '/cases/:id', name: 'case', component: () => import('./views/CaseView.vue'), props: true },
      {
        path: '/report',
        name: 'report',
        component: () => import('./views/ReportView.vue'),
        meta: { fullscreen: true },
      },
      { path: '/statistics', name: 'statistics', component: () => import('./views/StatisticsView.vue') },
      // The page's first address, kept for a phone's history and shortcuts.
      { path: '/stats', redirect: (to) => ({ path: '/statistics', query: to.query }) },
      { path: '/notifications', name: 'notifications', component: () => import('./views/NotificationsView.vue') },
      { path: '/me', name: 'me', component: () => import('./views/MeView.vue') },
      {
        path: '/password',
        name: 'password',
        component: () => import('./views/PasswordView.vue'),
        meta: { fullscreen: true },
      },
      { path: '/:pathMatch(.*)*', redirect: '/' },
    ],
  })
  router.beforeEach((to) => {
    // The server refuses everything but this until a one-time password is changed.
    if (session.me?.must_change_password && to.name !== 'password') return { name: 'password' }
    if (to.meta.public || session.me) return true
    return { name: 'login', query: { next: to.fullPath } }
  })
  return router
}
