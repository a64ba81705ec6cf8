import { migrations as veramoMigrations } from '@veramo/data-store'
import { ChainOutboxAndDepartments1764100000000 } from './1764100000000-chain-outbox-and-departments.js'
import { CredentialsStatusAudit1764200000000 } from './1764200000000-credentials-status-audit.js'
import { PresentationRequests1764300000000 } from './1764300000000-presentation-requests.js'
import { StatusChangePreviousStatus1764400000000 } from './1764400000000-status-change-previous-status.js'
import { PropertyAnchorKeys1764500000000 } from './1764500000000-property-anchor-keys.js'
import { RelyingParties1764600000000 } from './1764600000000-relying-parties.js'
import { OutboxReplay1764700000000 } from './1764700000000-outbox-replay.js'
import { CredentialFormatIssuerKeys1764810000000 } from './1764810000000-credential-format-issuer-keys.js'
import { CredentialOffers1764820000000 } from './1764820000000-credential-offers.js'
import { RelyingPartyIdentities1764830000000 } from './1764830000000-relying-party-identities.js'
import { Openid4vpRequests1764840000000 } from './1764840000000-openid4vp-requests.js'
import { RelyingPartyWebhooks1764860000000 } from './1764860000000-relying-party-webhooks.js'
import { VerifierLocalKeys1764870000000 } from './1764870000000-verifier-local-keys.js'
import { Openid4vpResponseEncryption1764880000000 } from './1764880000000-openid4vp-response-encryption.js'
import { OperatorKeys1764890000000 } from './1764890000000-operator-keys.js'
import { Feedback1764900000000 } from './1764900000000-feedback.js'
import { PortalAccounts1764910000000 } from './1764910000000-portal-accounts.js'
import { PortalIssuing1764910000001 } from './1764910000001-portal-issuing.js'
import { StatusChangeReason1764920000000 } from './1764920000000-status-change-reason.js'
import { OnestopRules1764930000000 } from './1764930000000-onestop-rules.js'
import { OnestopCases1764940000000 } from './1764940000000-onestop-cases.js'
import { QueryIndexes1765000000000 } from './1765000000000-query-indexes.js'
import { VerifierQueryIndexes1765000000001 } from './1765000000001-verifier-query-indexes.js'
import { PersonalDataRetention1765100000000 } from './1765100000000-personal-data-retention.js'

/** Veramo's migrations first, then ours, in order. */
export const allMigrations = [
  ...veramoMigrations,
  ChainOutboxAndDepartments1764100000000,
  CredentialsStatusAudit1764200000000,
  PresentationRequests1764300000000,
  StatusChangePreviousStatus1764400000000,
  PropertyAnchorKeys1764500000000,
  RelyingParties1764600000000,
  OutboxReplay1764700000000,
  CredentialFormatIssuerKeys1764810000000,
  CredentialOffers1764820000000,
  RelyingPartyIdentities1764830000000,
  Openid4vpRequests1764840000000,
  RelyingPartyWebhooks1764860000000,
  Openid4vpResponseEncryption1764880000000,
  OperatorKeys1764890000000,
  Feedback1764900000000,
  PortalAccounts1764910000000,
  PortalIssuing1764910000001,
  StatusChangeReason1764920000000,
  OnestopRules1764930000000,
  OnestopCases1764940000000,
  QueryIndexes1765000000000,
  VerifierQueryIndexes1765000000001,
  PersonalDataRetention1765100000000,
]

/** What a verifier-only node keeps: presentation requests, used challenges and relying parties, nothing of issuers. */
export const verifierMigrations = [
  PresentationRequests1764300000000,
  RelyingParties1764600000000,
  RelyingPartyIdentities1764830000000,
  Openid4vpRequests1764840000000,
  RelyingPartyWebhooks1764860000000,
  // A verifier-only node's own request-signing keys (a full node keeps its relying parties' keys in its KMS).
  VerifierLocalKeys1764870000000,
  Openid4vpResponseEncryption1764880000000,
  OperatorKeys1764890000000,
  // Bank officers (and operators) sign in to the verifier node's portal too.
  PortalAccounts1764910000000,
  VerifierQueryIndexes1765000000001,
]
