import type { RouteRecordRaw } from 'vue-router'

/** The applicant's one-stop page (public, no sign-in): 开办企业 / Open a business. */
export const routes: RouteRecordRaw[] = [
  { path: '/onestop', name: 'onestop', component: () => import('./OnestopPage.vue'), meta: { titleKey: 'onestop.title' } },
]

/** The console's 一网通办 area (a child of /console, behind the department session): the review queue and the rules. */
export const consoleRoutes: RouteRecordRaw[] = [
  { path: 'onestop', redirect: { name: 'console-onestop-reviews' } },
  {
    path: 'onestop/reviews',
    name: 'console-onestop-reviews',
    component: () => import('./ConsoleOnestopPage.vue'),
    props: { tab: 'reviews' },
    meta: { titleKey: 'onestop.console.title' },
  },
  {
    path: 'onestop/rules',
    name: 'console-onestop-rules',
    component: () => import('./ConsoleOnestopPage.vue'),
    props: { tab: 'rules' },
    meta: { titleKey: 'onestop.console.title' },
  },
]
