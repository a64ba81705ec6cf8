import { ZeroHash } from 'ethers'
import type { ChainWriter } from '../../chain/chain-writer.js'
import type { AnchorRegistryClient } from '../../chain/registries/anchor-registry.js'
import { ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors/app-error.js'
import type { DepartmentPrincipal } from '../departments/department-principal.js'
import type { DepartmentStore } from '../departments/department-store.js'
import { evaluateRule, type RuleEvaluation } from './evaluate-rule.js'
import type { RuleDocument } from './rule-format.js'
import { ruleAnchorKey, ruleHash } from './rule-hash.js'
import type { RuleStore, StoredRule } from './rule-store.js'
import { assertValidRule } from './validate-rule.js'

/** A rule version as anyone may read it: the document, its hash and where the hash is anchored. */
export interface PublicRule {
  id: string
  version: string
  department: string
  state: StoredRule['state']
  hash: string
  anchor: { registry: string; account: string; key: string; txHash: string | null }
  publishedAt: string | null
  retiredAt: string | null
  document: RuleDocument
}

/**
 * The life of one-stop rules: drafts, tests against sample inputs, publication (validated, stored, hash anchored
 * in the AnchorRegistry from the department's account) and retirement (anchor cleared to zero).
 *
 * Who: the department alone, for its own output types (an API key, or a supervisor's session). The department is
 * accountable for what it issues; governance already decides which types it may issue, and a rule cannot widen
 * that, because the output type must be one of the department's.
 */
export class OnestopRules {
  constructor(
    private readonly deps: {
      rules: RuleStore
      departments: Pick<DepartmentStore, 'get'>
      writer: Pick<ChainWriter, 'submit'>
      anchors: Pick<AnchorRegistryClient, 'anchorOf' | 'address'>
    },
  ) {}

  /** Stores (or replaces) a draft after full validation; 409 ERR_RULE_STATE when that version is published or retired. */
  async createDraft(principal: DepartmentPrincipal, body: unknown): Promise<PublicRule> {
    assertManager(principal)
    const department = (body as { department?: unknown } | null)?.department
    if (typeof department === 'string' && department !== principal.department.id)
      throw new ForbiddenError('ERR_SCOPE', `a department publishes rules only for itself, not for ${department}`)
    const document = assertValidRule(body, { departmentTypes: principal.department.credentialTypes })
    const saved = await this.deps.rules.saveDraft({
      id: document.id,
      version: document.version,
      departmentId: principal.department.id,
      document,
      hash: ruleHash(document),
    })
    if (!saved)
      throw new ConflictError('ERR_RULE_STATE', `rule ${document.id}@${document.version} is published or retired; publish a new version`)
    return this.view((await this.deps.rules.get(document.id, document.version))!)
  }

  /** Validates again, anchors the hash, then marks the version published. Retrying after a failure is safe. */
  async publish(principal: DepartmentPrincipal, id: string, version: string): Promise<PublicRule> {
    assertManager(principal)
    const rule = await this.owned(principal, id, version)
    if (rule.state !== 'draft') throw new ConflictError('ERR_RULE_STATE', `rule ${id}@${version} is already ${rule.state}`)
    const document = assertValidRule(rule.document, { departmentTypes: principal.department.credentialTypes })
    const hash = ruleHash(document)
    if (hash !== rule.hash) throw new ConflictError('ERR_RULE_TAMPERED', `rule ${id}@${version} changed after it was stored`)
    const sent = await this.deps.writer.submit({
      id: `onestop-rule:${id}@${version}:publish:${hash}`,
      account: principal.department.account,
      contract: 'AnchorRegistry',
      target: this.deps.anchors.address,
      method: 'setAnchors',
      args: [principal.department.account, [ruleAnchorKey(id, version)], [hash]],
      label: `one-stop rule ${id}@${version}: anchor hash`,
    })
    if (!(await this.deps.rules.markPublished(id, version, hash, sent.receipt.hash)))
      throw new ConflictError('ERR_RULE_STATE', `rule ${id}@${version} changed state while it was published`)
    return this.view((await this.deps.rules.get(id, version))!)
  }

  /** Clears the anchor (zero) and marks the version retired: no longer listed, no longer evaluated. */
  async retire(principal: DepartmentPrincipal, id: string, version: string): Promise<PublicRule> {
    assertManager(principal)
    const rule = await this.owned(principal, id, version)
    if (rule.state !== 'published')
      throw new ConflictError('ERR_RULE_STATE', `only a published rule is retired; ${id}@${version} is ${rule.state}`)
    const sent = await this.deps.writer.submit({
      id: `onestop-rule:${id}@${version}:retire`,
      account: principal.department.account,
      contract: 'AnchorRegistry',
      target: this.deps.anchors.address,
      method: 'setAnchors',
      args: [principal.department.account, [ruleAnchorKey(id, version)], [ZeroHash]],
      label: `one-stop rule ${id}@${version}: retire (clear anchor)`,
    })
    if (!(await this.deps.rules.markRetired(id, version, sent.receipt.hash)))
      throw new ConflictError('ERR_RULE_STATE', `rule ${id}@${version} changed state while it was retired`)
    return this.view((await this.deps.rules.get(id, version))!)
  }

  /**
   * Evaluates a draft or a published rule on sample inputs, issuing nothing. A published rule's hash is first
   * compared with the one anchored on chain (ERR_RULE_TAMPERED when they differ); a retired rule is refused.
   */
  async test(principal: DepartmentPrincipal, id: string, version: string, inputs: unknown): Promise<RuleEvaluation> {
    return this.evaluateStored(await this.owned(principal, id, version), inputs)
  }

  /**
   * Evaluates a published rule for a one-stop case: the anchored hash is read from the chain first, so a rule
   * changed after publication is refused (ERR_RULE_TAMPERED), as is a retired one or a draft (ERR_RULE_STATE).
   */
  async evaluatePublished(
    id: string,
    version: string,
    inputs: unknown,
    options: { ignoreConditions?: boolean } = {},
  ): Promise<RuleEvaluation> {
    const rule = await this.deps.rules.get(id, version)
    if (!rule) throw new NotFoundError('ERR_RULE_NOT_FOUND', `no rule ${id}@${version}`)
    if (rule.state !== 'published') throw new ConflictError('ERR_RULE_STATE', `rule ${id}@${version} is ${rule.state}, not published`)
    return this.evaluateStored(rule, inputs, options)
  }

  /** The newest published version of a rule, or undefined. */
  async newestPublished(id: string): Promise<PublicRule | undefined> {
    const published = (await this.deps.rules.listPublished()).filter((r) => r.id === id)
    const newest = published.sort((a, b) => (b.publishedAt ?? '').localeCompare(a.publishedAt ?? ''))[0]
    return newest && this.view(newest)
  }

  private async evaluateStored(rule: StoredRule, inputs: unknown, options: { ignoreConditions?: boolean } = {}): Promise<RuleEvaluation> {
    const { id, version } = rule
    if (rule.state === 'retired') throw new ConflictError('ERR_RULE_STATE', `rule ${id}@${version} is retired and is not evaluated`)
    let anchored: string | null = null
    if (rule.state === 'published') {
      const department = await this.departmentOf(rule)
      ;[anchored] = await this.deps.anchors.anchorOf(department.account, ruleAnchorKey(id, version))
      if (ruleHash(rule.document) !== anchored)
        throw new ConflictError('ERR_RULE_TAMPERED', `rule ${id}@${version} changed after its hash was anchored; it is not evaluated`)
    }
    // A stored document is checked again before it runs: the whitelist holds even for a row edited behind our back.
    const document = assertValidRule(rule.document, { departmentTypes: (await this.departmentOf(rule)).credentialTypes })
    return evaluateRule(document, anchored, inputs, options)
  }

  /** Published rules (public). */
  async listPublished(): Promise<PublicRule[]> {
    const rules = await this.deps.rules.listPublished()
    return Promise.all(rules.map((r) => this.view(r)))
  }

  /** A published or retired version (public); drafts stay private (404). */
  async getPublic(id: string, version: string): Promise<PublicRule> {
    const rule = await this.deps.rules.get(id, version)
    if (!rule || rule.state === 'draft') throw new NotFoundError('ERR_RULE_NOT_FOUND', `no published rule ${id}@${version}`)
    return this.view(rule)
  }

  /** The caller's own rule version; 404 for another department's (its drafts are not disclosed). */
  private async owned(principal: DepartmentPrincipal, id: string, version: string): Promise<StoredRule> {
    const rule = await this.deps.rules.get(id, version)
    if (!rule || rule.departmentId !== principal.department.id)
      throw new NotFoundError('ERR_RULE_NOT_FOUND', `your department has no rule ${id}@${version}`)
    return rule
  }

  private async departmentOf(rule: StoredRule) {
    const department = await this.deps.departments.get(rule.departmentId)
    if (!department) throw new NotFoundError('ERR_RULE_NOT_FOUND', `rule ${rule.id}@${rule.version} names no department of this node`)
    return department
  }

  private async view(rule: StoredRule): Promise<PublicRule> {
    const department = await this.deps.departments.get(rule.departmentId)
    return {
      id: rule.id,
      version: rule.version,
      department: rule.departmentId,
      state: rule.state,
      hash: rule.hash,
      anchor: {
        registry: this.deps.anchors.address,
        account: department?.account ?? '',
        key: ruleAnchorKey(rule.id, rule.version),
        txHash: rule.anchorTx,
      },
      publishedAt: rule.publishedAt,
      retiredAt: rule.retiredAt,
      document: rule.document,
    }
  }
}

/** Rules are managed by the department's systems (an API key) or a supervisor; a clerk only tests them. */
function assertManager(principal: DepartmentPrincipal): void {
  if (principal.account && principal.account.role !== 'supervisor')
    throw new ForbiddenError('ERR_ROLE_FORBIDDEN', 'a clerk may not create, publish or retire rules: a supervisor of the department may')
}
