import { createRouter, createWebHistory, type Router, type RouteRecordRaw } from 'vue-router'
import type { NodeMode } from './mode'
import HomePage from './views/public/HomePage.vue'
import { routes as adminRoutes } from './views/admin/routes'
import { routes as consoleRoutes } from './views/console/routes'
import { routes as onestopRoutes } from './views/onestop/routes'
import { routes as verifyRoutes } from './views/verify/routes'
import { routes as walletRoutes } from './views/wallet/routes'

declare module 'vue-router' {
  interface RouteMeta {
    /** The i18n key of the page's title (the browser tab says "<title> - <platform>"). */
    titleKey?: string
  }
}

/** The public pages: the first one in the bundle, the others loaded when visited. */
const PUBLIC_ROUTES: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomePage, meta: { titleKey: 'nav.home' } },
  {
    path: '/departments',
    name: 'departments',
    component: () => import('./views/public/DepartmentsPage.vue'),
    meta: { titleKey: 'departments.title' },
  },
  { path: '/schemas', name: 'schemas', component: () => import('./views/public/SchemasPage.vue'), meta: { titleKey: 'schemas.title' } },
  { path: '/guide', name: 'guide', component: () => import('./views/public/GuidePage.vue'), meta: { titleKey: 'guide.title' } },
]

/**
 * The portal's router (history mode: the express app answers index.html for each of these paths). A verifier-only
 * node has no console, no wallet and no operator page (no feedback box), so their routes are left out there and
 * those paths show the not-found page.
 *
 * @example
 * app.use(createPortalRouter(nodeMode()))
 */
export function createPortalRouter(mode: NodeMode): Router {
  const routes: RouteRecordRaw[] = [
    ...PUBLIC_ROUTES,
    ...(mode === 'full' ? [...consoleRoutes, ...walletRoutes, ...adminRoutes, ...onestopRoutes] : []),
    ...verifyRoutes,
    {
      path: '/:pathMatch(.*)*',
      name: 'not-found',
      component: () => import('./views/public/NotFoundPage.vue'),
      meta: { titleKey: 'notFound.title' },
    },
  ]
  return createRouter({
    history: createWebHistory(),
    routes,
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  })
}
