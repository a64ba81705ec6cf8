import type { IDIDManager, TAgent } from '@veramo/core-types'
import { ethrDidToAddress } from '../../shared/identity/ethr-did.js'
import { isValidUscc } from '../../catalog/schemas/uscc.js'
import { isCredentialTypeName } from '../../catalog/credential-types.js'
import { DepartmentStore, type Department } from './department-store.js'
import type { DepartmentProfile } from './demo-departments.js'

export const departmentAlias = (id: string) => `department:${id}`

/**
 * Creates (or returns the existing) department with a did:ethr whose key lives in this node's KMS.
 * No transaction: a did:ethr exists on chain implicitly until its document changes.
 */
export async function ensureDepartment(
  agent: TAgent<Pick<IDIDManager, 'didManagerGetOrCreate'>>,
  store: DepartmentStore,
  profile: DepartmentProfile,
  networkName: string,
): Promise<Department> {
  const problems: string[] = []
  if (!/^[a-z][a-z0-9-]{1,62}$/.test(profile.id)) problems.push('id must be lowercase letters, digits and dashes')
  if (!isValidUscc(profile.unifiedSocialCreditCode))
    problems.push(`unified social credit code ${profile.unifiedSocialCreditCode} is not valid (GB 32100-2015)`)
  const unknown = profile.credentialTypes.filter((t) => !isCredentialTypeName(t))
  if (unknown.length > 0) problems.push(`unknown credential types: ${unknown.join(', ')}`)
  if (!profile.name.trim()) problems.push('name is empty')
  if (problems.length > 0) throw new Error(`cannot create department ${profile.id}: ${problems.join('; ')}`)

  const existing = await store.get(profile.id)
  if (existing) return existing
  const identifier = await agent.didManagerGetOrCreate({
    alias: departmentAlias(profile.id),
    provider: 'did:ethr',
    options: { network: networkName },
  })
  const department: Department = {
    id: profile.id,
    name: profile.name,
    nameEn: profile.nameEn,
    unifiedSocialCreditCode: profile.unifiedSocialCreditCode,
    did: identifier.did,
    account: ethrDidToAddress(identifier.did)!,
    credentialTypes: [...profile.credentialTypes],
    createdAt: new Date().toISOString(),
  }
  await store.insert(department)
  return department
}
