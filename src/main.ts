import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'
import { ConfigError, loadConfig } from './config/config.js'
import { loadLogSettings } from './config/log-settings.js'
import { createLogger } from './shared/logger.js'
import { startCommand } from './cli/start-command.js'
import { withContext } from './cli/with-context.js'
import {
  approveProposal,
  cancelProposal,
  changeAccreditation,
  CliError,
  governanceMembers,
  memberKey,
  proposalStatus,
  proposeAccreditation,
  proposeMemberAdd,
  proposeMemberRemove,
  proposeThreshold,
  publishAllSchemas,
} from './cli/governance-commands.js'
import { ensureDepartment } from './issuing/departments/create-department.js'
import { signerFor } from './issuing/governance/governance-members.js'
import type { CredentialTypeName } from './catalog/credential-types.js'
import { userInfo } from 'node:os'
import { ApiKeyStore } from './issuing/departments/api-keys/api-key-store.js'
import { GENERIC_SCOPE } from './issuing/departments/department-principal.js'
import { AuditLog } from './issuing/audit/audit-log.js'
import { formatAuditVerifications, verifyAuditCommand } from './cli/verify-audit-command.js'
import { walletCommand } from './cli/wallet-command.js'
import { verifierCommand } from './cli/verifier-command.js'
import { relyingPartyCommand } from './cli/relying-party-commands.js'
import { operatorCommand } from './cli/operator-commands.js'
import { accountCommand } from './cli/account-commands.js'
import { demoAccountsText } from './cli/demo-command.js'
import { onestopCommand } from './cli/onestop-commands.js'
import { WalletError } from './wallet/holder-wallet.js'
import { describeChainError } from './chain/chain-errors.js'

const USAGE = `govcred — verifiable credentials for city departments on a consortium chain

Usage: govcred <command> [options]   (or: npm run cli -- <command> [options])

  start [--demo]                     run the service (embedded chain + SQLite by default)
  deploy                             deploy the registries onto GOVCRED_RPC_URL and write the deployments file
                                     (members: GOVCRED_GOVERNANCE_MEMBERS=0xA,0xB,0xC, GOVCRED_GOVERNANCE_THRESHOLD=2)
  secret                             print a new random GOVCRED_KMS_SECRET
  department create --id ID --name NAME --name-en NAME --uscc CODE --types T1,T2
  department list
  governance member-key [--alias NAME]   a member key in this node's key store; hand its address to the deployer
  governance propose-accreditation --department ID [--as MEMBER]
  governance propose-member-add ADDRESS [--as MEMBER]
  governance propose-member-remove ADDRESS [--as MEMBER]
  governance propose-threshold N [--as MEMBER]
  governance approve PROPOSAL_ID [--as MEMBER]      (refused when this node holds the proposer's or an approver's key;
                                                     demo excepted)
  governance cancel PROPOSAL_ID [--as MEMBER]       (the proposer only)
  governance status PROPOSAL_ID                     what it does, open/executed/expired/cancelled, who approved
  governance suspend|reinstate|revoke --issuer ID|DID [--as MEMBER] [--approve-with MEMBER]   (--approve-with: demo only)
  governance members
  schema publish                     publish every schema in schemas/ not yet anchored
  apikey create --department ID [--types T1,T2] [--label TEXT]   (VerifiableCredential: generic credentials)
  apikey list [--department ID]
  apikey revoke KEY_ID
  audit verify [--department ID]     recompute the audit hash chains and compare with the chain anchors
  outbox [--status pending|sent|confirmed|failed]
  verifier                           run only the verification API (needs GOVCRED_RPC_URL and the registry addresses)
  relying-party create --id ID --name NAME --name-en NAME [--domain DNS] [--label TEXT] [--webhook-url URL] [--verifier]
                                      (prints its API key, and its webhook secret, once)
  relying-party list [--verifier]     with each one's client_id (x509_san_dns:DOMAIN) and certificate fingerprint
  relying-party csr --id ID --verifier [--domain DNS]   verifier-only node: a request-signing key kept sealed here,
                                     and its certificate signing request (PEM) for the consortium operator
  relying-party certify --csr FILE [--days N]           full node: the leaf certificate (PEM) from the consortium root
                                     (fingerprint on stderr; N from 1 to 825, default 365)
  relying-party install-certificate --id ID --certificate FILE --verifier [--root FILE]
                                     verifier-only node: installs it (--root: the root PEM of GET /v1/network)
  relying-party key-create --id ID [--label TEXT] [--verifier]
  relying-party key-revoke KEY_ID [--verifier]      (--verifier: the verifier-only node's database)
  relying-party webhook-set --id ID --webhook-url URL [--verifier]   results announced there, signed (new secret, shown once)
  relying-party webhook-remove --id ID [--verifier]
  relying-party webhook-events --id ID [--verifier]  each event's state (pending, delivered, failed), attempts, last error
  operator key-create [--label TEXT] [--verifier]   a platform-operator API key for /v1/relying-parties (printed once)
  operator key-list [--verifier]
  operator key-revoke KEY_ID [--verifier]
  account create --kind department|relying-party|platform --org ID --username U --role R [--name NAME] [--verifier]
                 [--password-stdin]  a portal account (roles: clerk|supervisor, officer, operator); its password is
                                     generated and printed once unless --password-stdin reads it
  account list [--kind KIND] [--org ID] [--verifier]
  account disable USERNAME [--verifier]             signs in no more; its sessions end
  account reset-password USERNAME [--password-stdin] [--verifier]   a new password (printed once); sessions end
  account unlock USERNAME [--verifier]              ends a lockout after too many wrong passwords
  onestop rules list [--department ID]              the published one-stop rules (id, version, hash, anchor)
  onestop rules show ID VERSION [--department ID]   a rule document (--department: that department's drafts too)
  onestop rules draft FILE.json --department ID     store (or replace) a draft after full validation
  onestop rules test ID VERSION INPUTS.json --department ID   evaluate on {"credentials":{…},"form":{…}}, issuing
                                     nothing (exit code 1 unless the outcome is eligible)
  onestop rules publish ID VERSION --department ID  anchor the rule's hash from the department's chain account
  onestop rules retire ID VERSION --department ID   clear the anchor: the rule is no longer offered or evaluated
  demo accounts                      the demo's portal accounts: who each is, where it signs in, its password
  wallet create-did [--method key|ethr] [--alias NAME]      (wallet: --wallet DIR or GOVCRED_WALLET_DIR)
  wallet dids
  wallet list                        type, issuer, status, validity and claims of each credential held
  wallet import VC_JWT_OR_FILE
  wallet receive OFFER [--tx-code CODE] [--format dc+sd-jwt|jwt_vc_json] [--trust-root PEM_FILE]
                                     receive by OpenID4VCI (openid-credential-offer://… or the offer's https URL);
                                     asks for the transaction code unless --tx-code gives it
  wallet present --request URL | --challenge C --domain D --types T1,T2 [--holder DID] [--credentials ID1,ID2] [--yes]
                                     shows the verifier, purpose and credentials, and asks before signing (--yes: don't ask)
  wallet present OPENID4VP_URI [--trust-root PEM_FILE] [--yes]
                                     answer an OpenID4VP request (openid4vp://…): checks the verifier's signed request,
                                     shows who asks, why and each claim, and discloses only those claims after consent
  wallet history                     who asked for what, when, and whether it was sent (never the claim values)

Configuration comes from the environment; see README.md.`

const print = (value: unknown): void => void process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`)

async function main(argv: string[]): Promise<void> {
  // Every file a command creates (keys, databases, chain state, wallets) is the owner's alone.
  process.umask(0o077)
  const { values: flags, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      demo: { type: 'boolean' },
      id: { type: 'string' },
      name: { type: 'string' },
      'name-en': { type: 'string' },
      uscc: { type: 'string' },
      types: { type: 'string' },
      department: { type: 'string' },
      issuer: { type: 'string' },
      as: { type: 'string' },
      'approve-with': { type: 'string' },
      status: { type: 'string' },
      label: { type: 'string' },
      wallet: { type: 'string' },
      method: { type: 'string' },
      alias: { type: 'string' },
      holder: { type: 'string' },
      credentials: { type: 'string' },
      request: { type: 'string' },
      challenge: { type: 'string' },
      domain: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      'tx-code': { type: 'string' },
      format: { type: 'string' },
      'trust-root': { type: 'string' },
      verifier: { type: 'boolean' },
      'webhook-url': { type: 'string' },
      csr: { type: 'string' },
      certificate: { type: 'string' },
      root: { type: 'string' },
      days: { type: 'string' },
      kind: { type: 'string' },
      org: { type: 'string' },
      username: { type: 'string' },
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const [command, sub, arg] = positionals
  const logger = createLogger(loadLogSettings(process.env))
  if (!command || flags.help || command === 'help') return print(USAGE)

  switch (command) {
    case 'start':
      return startCommand({ demo: flags.demo }, logger)
    case 'verifier':
      return verifierCommand(logger)
    case 'relying-party':
      return print(await relyingPartyCommand(sub, arg, flags))
    case 'operator':
      return print(await operatorCommand(sub, arg, flags))
    case 'account':
      return print(await accountCommand(sub, arg, flags))
    case 'wallet':
      return print(await walletCommand(sub, arg, flags))
    case 'onestop':
      return withContext(logger, async (ctx) => print(await onestopCommand(ctx, positionals.slice(1), flags)))
    case 'secret':
      return print(randomBytes(32).toString('hex'))
    case 'demo': {
      if (sub !== 'accounts') throw new CliError(`unknown demo command "${sub ?? ''}" (demo accounts)`)
      const config = loadConfig()
      return print(demoAccountsText(config.dataDir, config.publicUrl))
    }
    case 'deploy':
      return withContext(logger, async (ctx) => print({ deploymentsFile: ctx.config.chain.deploymentsFile, ...ctx.deployments }), {
        deployIfMissing: true,
      })
    case 'department':
      return withContext(logger, async (ctx) => {
        if (sub === 'list') return print(await ctx.departments.list())
        if (sub !== 'create') throw new CliError(`unknown department command "${sub ?? ''}"`)
        const missing = ['id', 'name', 'uscc', 'types'].filter((f) => !flags[f as keyof typeof flags])
        if (missing.length > 0) throw new CliError(`department create needs --${missing.join(', --')}`)
        const department = await ensureDepartment(
          ctx.agent,
          ctx.departments,
          {
            id: flags.id!,
            name: flags.name!,
            nameEn: flags['name-en'] ?? flags.name!,
            unifiedSocialCreditCode: flags.uscc!,
            credentialTypes: flags.types!.split(',').map((t) => t.trim()) as CredentialTypeName[],
          },
          ctx.deployments.name,
        )
        await ctx.writer.addSigner(signerFor(ctx.agent, await ctx.agent.didManagerGet({ did: department.did })))
        print(department)
      })
    case 'governance':
      if (sub === 'member-key') return print(await memberKey(loadConfig(), logger, { alias: flags.alias }))
      return withContext(logger, async (ctx) => {
        switch (sub) {
          case 'propose-member-add':
            if (!arg) throw new CliError('governance propose-member-add needs an ADDRESS')
            return print(await proposeMemberAdd(ctx, arg, { as: flags.as }))
          case 'propose-member-remove':
            if (!arg) throw new CliError('governance propose-member-remove needs an ADDRESS')
            return print(await proposeMemberRemove(ctx, arg, { as: flags.as }))
          case 'propose-threshold':
            if (!arg) throw new CliError('governance propose-threshold needs a number N')
            return print(await proposeThreshold(ctx, arg, { as: flags.as }))
          case 'cancel':
            if (!arg) throw new CliError('governance cancel needs a PROPOSAL_ID')
            return print(await cancelProposal(ctx, arg, { as: flags.as }))
          case 'propose-accreditation':
            if (!flags.department) throw new CliError('--department is required')
            return print(await proposeAccreditation(ctx, { department: flags.department, as: flags.as }))
          case 'approve':
            if (!arg) throw new CliError('governance approve needs a PROPOSAL_ID')
            return print(await approveProposal(ctx, arg, { as: flags.as }))
          case 'status':
            if (!arg) throw new CliError('governance status needs a PROPOSAL_ID')
            return print(await proposalStatus(ctx, arg))
          case 'members':
            return print(await governanceMembers(ctx))
          case 'suspend':
          case 'reinstate':
          case 'revoke': {
            if (!flags.issuer) throw new CliError('--issuer is required')
            const change = `${sub}Issuer` as 'suspendIssuer' | 'reinstateIssuer' | 'revokeIssuer'
            return print(await changeAccreditation(ctx, change, { issuer: flags.issuer, as: flags.as, approveWith: flags['approve-with'] }))
          }
          default:
            throw new CliError(`unknown governance command "${sub ?? ''}"`)
        }
      })
    case 'schema':
      if (sub !== 'publish') throw new CliError(`unknown schema command "${sub ?? ''}"`)
      return withContext(logger, async (ctx) => print(await publishAllSchemas(ctx)))
    case 'apikey':
      return withContext(logger, async (ctx) => {
        const keys = new ApiKeyStore(ctx.db)
        const audit = new AuditLog(ctx.db)
        if (sub === 'list') return print(await keys.list(flags.department))
        if (sub === 'create') {
          if (!flags.department) throw new CliError('--department is required')
          const department = await ctx.departments.get(flags.department)
          if (!department) throw new CliError(`unknown department ${flags.department}`)
          const scopes = flags.types ? flags.types.split(',').map((t) => t.trim()) : department.credentialTypes
          // VerifiableCredential: generic credentials (POST /credentials/issue, where GOVCRED_GENERIC_ISSUANCE is on).
          const outside = scopes.filter((t) => t !== GENERIC_SCOPE && !department.credentialTypes.includes(t))
          if (outside.length > 0) throw new CliError(`${department.id} is not set up for ${outside.join(', ')}`)
          const created = await keys.create(department.id, scopes, flags.label ?? 'created with the CLI')
          await audit.append({
            departmentId: department.id,
            actor: `cli:${userInfo().username}`,
            action: 'api-key-create',
            details: { apiKeyId: created.id, scopes },
          })
          process.stderr.write('Store this key now: it is shown once and kept only as a hash.\n')
          return print(created)
        }
        if (sub === 'revoke') {
          if (!arg) throw new CliError('apikey revoke needs a KEY_ID')
          const record = (await keys.list()).find((k) => k.id === arg)
          if (!record) throw new CliError(`no API key ${arg}`)
          await keys.revoke(arg)
          await audit.append({
            departmentId: record.departmentId,
            actor: `cli:${userInfo().username}`,
            action: 'api-key-revoke',
            details: { apiKeyId: arg },
          })
          return print({ id: arg, revoked: true })
        }
        throw new CliError(`unknown apikey command "${sub ?? ''}"`)
      })
    case 'audit':
      if (sub !== 'verify') throw new CliError(`unknown audit command "${sub ?? ''}"`)
      return withContext(logger, async (ctx) => {
        const results = await verifyAuditCommand(ctx, flags.department)
        print(formatAuditVerifications(results))
        if (results.some((r) => !r.ok)) process.exitCode = 1
      })
    case 'outbox':
      return withContext(logger, async (ctx) => print(await ctx.writer.list(flags.status as never)))
    default:
      throw new CliError(`unknown command "${command}"\n\n${USAGE}`)
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`)
  else if (error instanceof CliError) process.stderr.write(`govcred: ${error.message}\n`)
  else if (error instanceof WalletError) process.stderr.write(`govcred wallet: ${error.code}: ${error.message}\n`)
  // Chain errors decoded, never the kilobytes of a transaction (bytecode) or raw revert data.
  else process.stderr.write(`govcred: ${describeChainError(error)}\n`)
  process.exit(1)
})
