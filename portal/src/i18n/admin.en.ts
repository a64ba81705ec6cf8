import type adminZhCN from './admin.zh-CN'

/** The platform operator's page (/admin) in English; the same keys as admin.zh-CN.ts. */
const adminEn: typeof adminZhCN = {
  title: 'Platform administration',
  loading: 'Loading…',
  bar: 'Platform account',
  operator: 'Operator: {name}',
  signOut: 'Sign out',
  signIn: {
    title: 'Operator sign-in',
    lead: 'This page is for the platform operators, to read the feedback visitors sent. Sign in with a platform operator account.',
    username: 'User name',
    password: 'Password',
    submit: 'Sign in',
    submitting: 'Signing in…',
    usernameRequired: 'Enter your user name',
    passwordRequired: 'Enter your password',
    ended: 'Your session has ended. Please sign in again.',
  },
  wrongAccount: {
    title: 'This account cannot open platform administration',
    text: 'You are signed in as "{name}". Platform administration is for platform operators only: sign out and sign in with a platform operator account.',
  },
  feedback: {
    title: 'Feedback',
    lead: 'What visitors sent from the pages of the portal, newest first.',
    caption: 'Page {page}',
    empty: 'No feedback has been received yet.',
    time: 'Sent',
    page: 'Page',
    rating: 'Rating',
    message: 'Message',
    language: 'Language',
    contact: 'Contact: {contact}',
    stars: '{n} out of 5',
    noRating: 'Not rated',
    unknown: 'Not given',
    languages: { 'zh-CN': 'Chinese', en: 'English' },
    pager: 'Pages',
    newer: 'Newer',
    older: 'Older',
    refresh: 'Refresh',
  },
}

export default adminEn
