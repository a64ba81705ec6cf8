import type { RouteRecordRaw } from 'vue-router'

/**
 * The bank verification page's routes under `/verify` (relying-party sign-in, request templates, the request QR,
 * the live result); router.ts imports them. The verification helper fills this list with lazily loaded pages;
 * while it is empty, `/verify` shows the not-found page.
 */
export const routes: RouteRecordRaw[] = []
