import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The response mode of an OpenID4VP request (issue 12): NULL for `direct_post`, `direct_post.jwt` when the wallet
 * must encrypt its response to the verifier. Only the mode is kept: the response-encryption key itself lives in
 * the verifier's memory for the request's lifetime and is never written, and the kept mode lets a restarted node
 * still refuse a response in the clear to a request that asked for an encrypted one.
 */
export class Openid4vpResponseEncryption1764880000000 implements MigrationInterface {
  name = 'Openid4vpResponseEncryption1764880000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "govcred_presentation_requests" ADD COLUMN "responseMode" varchar`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "govcred_presentation_requests" DROP COLUMN "responseMode"`)
  }
}
