import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The portal's accounts (department clerks and supervisors, relying-party officers, platform operators) with
 * their scrypt password hashes and sign-in lockout state, and their sessions: a session is known only by the
 * SHA-256 of its cookie value, never the value itself. In both nodes: a bank's verifier node has officers.
 */
export class PortalAccounts1764910000000 implements MigrationInterface {
  name = 'PortalAccounts1764910000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "govcred_accounts" (
      "id" varchar PRIMARY KEY NOT NULL,
      "kind" varchar NOT NULL,
      "orgId" varchar NOT NULL,
      "username" varchar NOT NULL UNIQUE,
      "displayName" varchar NOT NULL,
      "role" varchar NOT NULL,
      "passwordHash" varchar NOT NULL,
      "failedAttempts" integer NOT NULL DEFAULT 0,
      "lockedUntil" varchar,
      "createdAt" varchar NOT NULL,
      "disabledAt" varchar,
      "passwordChangedAt" varchar NOT NULL
    )`)
    await q.query(`CREATE INDEX "idx_govcred_accounts_org" ON "govcred_accounts" ("kind", "orgId")`)
    await q.query(`CREATE TABLE "govcred_sessions" (
      "idHash" varchar PRIMARY KEY NOT NULL,
      "accountId" varchar NOT NULL REFERENCES "govcred_accounts" ("id"),
      "csrfToken" varchar NOT NULL,
      "createdAt" varchar NOT NULL,
      "expiresAt" varchar NOT NULL,
      "lastSeenAt" varchar NOT NULL
    )`)
    await q.query(`CREATE INDEX "idx_govcred_sessions_account" ON "govcred_sessions" ("accountId")`)
    await q.query(`CREATE INDEX "idx_govcred_sessions_expiry" ON "govcred_sessions" ("expiresAt")`)
    await q.query(`CREATE INDEX "idx_govcred_sessions_last_seen" ON "govcred_sessions" ("lastSeenAt")`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "govcred_sessions"`)
    await q.query(`DROP TABLE "govcred_accounts"`)
  }
}
