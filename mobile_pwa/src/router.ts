import { createRouter, createWebHistory, type RouterHistory } from 'vue-router'
import HomeView from './views/HomeView.vue'

export function createAppRouter(history: RouterHistory = createWebHistory()) {
  return createRouter({
    history,
    routes: [
      { path: '/', name: 'home', component: HomeView },
      // Lazy so the form components stay out of the first download; the
      // service worker precaches the chunk, so it still opens offline.
      { path: '/login', name: 'login', component: () => import('./views/LoginView.vue') },
      { path: '/:pathMatch(.*)*', redirect: '/' },
    ],
  })
}
