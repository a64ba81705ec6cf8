import type { RouteRecordRaw } from 'vue-router'

/**
 * The bank verification page's routes under `/verify` (router.ts imports them), inside its frame (the officer's
 * sign-in, the bank's name, sign-out): start a check from a template or by hand, and one check's QR code and
 * live result at `/verify/checks/<request id>`. Served by a full node and by a bank's verifier-only node.
 */
export const routes: RouteRecordRaw[] = [
  {
    path: '/verify',
    component: () => import('./VerifyLayout.vue'),
    children: [
      { path: '', name: 'verify-home', component: () => import('./VerifyHome.vue'), meta: { titleKey: 'verify.title' } },
      { path: 'checks/:id', name: 'verify-check', component: () => import('./CheckPage.vue'), meta: { titleKey: 'verify.title' } },
    ],
  },
]
