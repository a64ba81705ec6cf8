import type { RouteRecordRaw } from 'vue-router'

/**
 * The platform operator's page under `/admin` (router.ts imports it on a full node only; there is no link to it:
 * operators know the address): the sign-in of a platform account, then the visitors' feedback at
 * `/admin/feedback`.
 */
export const routes: RouteRecordRaw[] = [
  {
    path: '/admin',
    component: () => import('./AdminLayout.vue'),
    children: [
      { path: '', name: 'admin-home', redirect: { name: 'admin-feedback' } },
      { path: 'feedback', name: 'admin-feedback', component: () => import('./FeedbackPage.vue'), meta: { titleKey: 'admin.title' } },
    ],
  },
]
