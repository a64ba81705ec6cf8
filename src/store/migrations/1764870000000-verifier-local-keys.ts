import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The request-signing keys a verifier-only node makes for its relying parties (`govcred relying-party csr`):
 * each P-256 private key sealed (AES-256-GCM under the node's DATA_DIR/kms-secret), its public key, and the
 * domain its CSR named. The certificates the consortium returns go to govcred_relying_party_identities.
 */
export class VerifierLocalKeys1764870000000 implements MigrationInterface {
  name = 'VerifierLocalKeys1764870000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "govcred_verifier_local_keys" (
      "kmsKeyId" varchar PRIMARY KEY NOT NULL,
      "relyingPartyId" varchar NOT NULL REFERENCES "govcred_relying_parties" ("id"),
      "domain" varchar NOT NULL,
      "publicKeyHex" varchar NOT NULL,
      "sealedPrivateKey" text NOT NULL,
      "createdAt" varchar NOT NULL
    )`)
    await q.query(`CREATE INDEX "idx_govcred_verifier_local_keys_party" ON "govcred_verifier_local_keys" ("relyingPartyId", "createdAt")`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_govcred_verifier_local_keys_party"`)
    await q.query(`DROP TABLE "govcred_verifier_local_keys"`)
  }
}
