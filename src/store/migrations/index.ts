import { migrations as veramoMigrations } from '@veramo/data-store'
import { ChainOutboxAndDepartments1764100000000 } from './1764100000000-chain-outbox-and-departments.js'
import { CredentialsStatusAudit1764200000000 } from './1764200000000-credentials-status-audit.js'

/** Veramo's migrations first, then ours, in order. */
export const allMigrations = [...veramoMigrations, ChainOutboxAndDepartments1764100000000, CredentialsStatusAudit1764200000000]
