import type { RouteRecordRaw } from 'vue-router'
import { consoleRoutes as onestopRoutes } from '../onestop/routes'
import { requireDepartmentSession } from './session'

declare module 'vue-router' {
  interface RouteMeta {
    /** A console page for the department's section chiefs only (a clerk sees a plain "supervisor needed" message). */
    supervisorOnly?: boolean
  }
}

/**
 * The department console under `/console`: the sign-in page, and behind a department account's session the
 * overview, the issue form, the credentials (status changes), the property transfer and the audit trail.
 * Pages load when first visited (the dashboard's chart library only there).
 */
export const routes: RouteRecordRaw[] = [
  {
    path: '/console/sign-in',
    name: 'console-sign-in',
    component: () => import('./SignInPage.vue'),
    meta: { titleKey: 'console.signIn.title' },
  },
  {
    path: '/console',
    component: () => import('./ConsoleLayout.vue'),
    beforeEnter: requireDepartmentSession,
    children: [
      { path: '', redirect: { name: 'console-dashboard' } },
      {
        path: 'dashboard',
        name: 'console-dashboard',
        component: () => import('./DashboardPage.vue'),
        meta: { titleKey: 'console.dashboard.title' },
      },
      { path: 'issue', name: 'console-issue', component: () => import('./IssuePage.vue'), meta: { titleKey: 'console.issue.title' } },
      {
        path: 'credentials',
        name: 'console-credentials',
        component: () => import('./CredentialsPage.vue'),
        meta: { titleKey: 'console.credentials.title' },
      },
      {
        path: 'transfer',
        name: 'console-transfer',
        component: () => import('./TransferPage.vue'),
        meta: { titleKey: 'console.transfer.title', supervisorOnly: true },
      },
      {
        path: 'audit',
        name: 'console-audit',
        component: () => import('./AuditPage.vue'),
        meta: { titleKey: 'console.audit.title', supervisorOnly: true },
      },
      ...onestopRoutes,
    ],
  },
]
