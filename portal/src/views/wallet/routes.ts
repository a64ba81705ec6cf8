import type { RouteRecordRaw } from 'vue-router'

/**
 * The citizen web wallet's routes under `/wallet` (cards, receive, present, history); router.ts imports them.
 * The wallet's helper fills this list with lazily loaded pages; while it is empty, `/wallet` shows the
 * not-found page.
 */
export const routes: RouteRecordRaw[] = []
