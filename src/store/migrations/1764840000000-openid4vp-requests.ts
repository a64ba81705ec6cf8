import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * OpenID4VP presentation requests beside the JSON ones (issue 12): the protocol (NULL for the JSON flow), the
 * DCQL query, the purpose in zh-CN and en, when the response arrived, and the result the relying party reads
 * (checks and the disclosed claims only; purged after GOVCRED_PRESENTATION_RESULT_TTL_SECONDS).
 */
export class Openid4vpRequests1764840000000 implements MigrationInterface {
  name = 'Openid4vpRequests1764840000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "govcred_presentation_requests" ADD COLUMN "protocol" varchar`)
    await q.query(`ALTER TABLE "govcred_presentation_requests" ADD COLUMN "dcqlQuery" text`)
    await q.query(`ALTER TABLE "govcred_presentation_requests" ADD COLUMN "purposeI18n" text`)
    await q.query(`ALTER TABLE "govcred_presentation_requests" ADD COLUMN "answeredAt" varchar`)
    await q.query(`ALTER TABLE "govcred_presentation_requests" ADD COLUMN "resultJson" text`)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of ['resultJson', 'answeredAt', 'purposeI18n', 'dcqlQuery', 'protocol'])
      await q.query(`ALTER TABLE "govcred_presentation_requests" DROP COLUMN "${column}"`)
  }
}
