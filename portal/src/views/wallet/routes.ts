import type { RouteRecordRaw } from 'vue-router'

/**
 * The citizen web wallet's routes under `/wallet` (router.ts imports them), each page loaded when visited, inside
 * the wallet's frame (its own tab bar): the cards, one card, receive from `/wallet/receive?offer=<offer link>`,
 * consent and present from `/wallet/present?request=<OpenID4VP link>`, the history and the settings.
 */
export const routes: RouteRecordRaw[] = [
  {
    path: '/wallet',
    component: () => import('./WalletLayout.vue'),
    children: [
      { path: '', name: 'wallet-cards', component: () => import('./CardsPage.vue'), meta: { titleKey: 'wallet.cards.title' } },
      {
        path: 'cards/:id',
        name: 'wallet-card',
        component: () => import('./CardDetailPage.vue'),
        meta: { titleKey: 'wallet.detail.title' },
      },
      { path: 'receive', name: 'wallet-receive', component: () => import('./ReceivePage.vue'), meta: { titleKey: 'wallet.receive.title' } },
      { path: 'present', name: 'wallet-present', component: () => import('./PresentPage.vue'), meta: { titleKey: 'wallet.present.title' } },
      { path: 'history', name: 'wallet-history', component: () => import('./HistoryPage.vue'), meta: { titleKey: 'wallet.history.title' } },
      {
        path: 'settings',
        name: 'wallet-settings',
        component: () => import('./SettingsPage.vue'),
        meta: { titleKey: 'wallet.settings.title' },
      },
    ],
  },
]
