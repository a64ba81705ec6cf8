import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm'
import type { DisplayNames } from './wallet-credential-store.js'

/** What became of a presentation request the wallet was shown. */
export type PresentationOutcome = 'sent' | 'declined' | 'failed'

/** One credential asked for: its type and the claims (paths, dot-separated) asked for — never their values. */
export interface RequestedCredential {
  /** The verifier's credential query id (DCQL). */
  queryId: string
  /** The credential type (the vct asked for, or the type of the credential chosen). */
  type: string
  claims: string[]
  /** The wallet's id of the credential chosen, when one matched. */
  credentialId?: string
}

/** One entry of the wallet's history of presentation requests: who asked, for what, when, and whether it was sent. */
export interface PresentationHistoryEntry {
  id: string
  at: string
  /** The verifier's client identifier (e.g. `x509_san_dns:bank.example`). */
  clientId: string
  /** The verifier's names from its certificate. */
  verifierName: DisplayNames
  purpose: DisplayNames
  requested: RequestedCredential[]
  outcome: PresentationOutcome
  /** Why it was not sent (a wallet error code, or the verifier's error), or null. */
  reason: string | null
}

const TABLE = 'govcred_wallet_presentations'

/** The wallet's history of OpenID4VP requests; it holds no claim values. */
export class WalletPresentationHistory1765200000000 implements MigrationInterface {
  name = 'WalletPresentationHistory1765200000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${TABLE}" (
      "id" varchar PRIMARY KEY NOT NULL,
      "at" varchar NOT NULL,
      "clientId" text NOT NULL,
      "verifierName" text NOT NULL,
      "purpose" text NOT NULL,
      "requested" text NOT NULL,
      "outcome" varchar NOT NULL,
      "reason" text
    )`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${TABLE}"`)
  }
}

/** The one store of the wallet's presentation history (the table's SQL lives only here). */
export class WalletHistoryStore {
  constructor(private readonly db: DataSource) {}

  async add(entry: PresentationHistoryEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO "${TABLE}" ("id", "at", "clientId", "verifierName", "purpose", "requested", "outcome", "reason")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        entry.id,
        entry.at,
        entry.clientId,
        JSON.stringify(entry.verifierName),
        JSON.stringify(entry.purpose),
        JSON.stringify(entry.requested),
        entry.outcome,
        entry.reason,
      ],
    )
  }

  /** Newest first. */
  async list(): Promise<PresentationHistoryEntry[]> {
    const rows = (await this.db.query(`SELECT * FROM "${TABLE}" ORDER BY "at" DESC, "id"`)) as Record<string, string | null>[]
    return rows.map((r) => ({
      id: r.id!,
      at: r.at!,
      clientId: r.clientId!,
      verifierName: JSON.parse(r.verifierName!) as DisplayNames,
      purpose: JSON.parse(r.purpose!) as DisplayNames,
      requested: JSON.parse(r.requested!) as RequestedCredential[],
      outcome: r.outcome as PresentationOutcome,
      reason: r.reason ?? null,
    }))
  }
}
