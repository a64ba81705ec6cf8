import type { RouteRecordRaw } from 'vue-router'

/**
 * The department console's routes under `/console` (clerks: sign-in, issue forms, offers, status changes, audit,
 * dashboard); router.ts imports them. The console's helper fills this list with lazily loaded pages
 * (`component: () => import('./SignInPage.vue')`); while it is empty, `/console` shows the not-found page.
 */
export const routes: RouteRecordRaw[] = []
