import { describe, expect, it } from 'vitest'
import { Interface } from 'ethers'
import { loadArtifact, type ContractName } from '../../src/chain/contract-artifacts.js'

/** The signatures the rest of the system is written against; a change here is a breaking change. */
const expected: Record<Exclude<ContractName, 'EthereumDIDRegistry'>, { functions: string[]; events: string[]; errors: string[] }> = {
  ConsortiumGovernance: {
    functions: [
      'propose(address,bytes,bytes32)',
      'approve(bytes32)',
      'execute(bytes32)',
      'addMember(address)',
      'removeMember(address)',
      'setThreshold(uint256)',
      'isMember(address)',
      'getMembers()',
      'threshold()',
      'getProposal(bytes32)',
      'hasApproved(bytes32,address)',
      'cancel(bytes32)',
      'getProposalStatus(bytes32)',
      'proposalLifetime()',
    ],
    events: [
      'ProposalCreated(bytes32,address,address,bytes)',
      'ProposalApproved(bytes32,address,uint256)',
      'ProposalExecuted(bytes32)',
      'MemberAdded(address)',
      'MemberRemoved(address)',
      'ThresholdChanged(uint256)',
      'ProposalCancelled(bytes32,address)',
    ],
    errors: [
      'NotMember(address)',
      'NotGovernance(address)',
      'ProposalExists(bytes32)',
      'UnknownProposal(bytes32)',
      'AlreadyApproved(bytes32,address)',
      'AlreadyExecuted(bytes32)',
      'BelowThreshold(bytes32,uint256,uint256)',
      'ExecutionFailed(bytes32,bytes)',
      'InvalidThreshold(uint256,uint256)',
      'AlreadyMember(address)',
      'ProposalExpired(bytes32,uint64)',
      'AlreadyCancelled(bytes32)',
      'NotProposer(bytes32,address)',
      'InvalidLifetime(uint64)',
    ],
  },
  TrustedIssuerRegistry: {
    functions: [
      'registerIssuer(address,string,string,bytes32[],uint64,uint64)',
      'setCredentialTypes(address,bytes32[])',
      'setValidity(address,uint64,uint64)',
      'suspendIssuer(address)',
      'reinstateIssuer(address)',
      'revokeIssuer(address)',
      'isAccredited(address,bytes32,uint64)',
      'getIssuer(address)',
      'getIssuerAccounts()',
      'getStatusHistory(address)',
      'governance()',
    ],
    events: [
      'IssuerRegistered(address,string,bytes32[],uint64,uint64)',
      'IssuerCredentialTypesChanged(address,bytes32[])',
      'IssuerValidityChanged(address,uint64,uint64)',
      'IssuerStatusChanged(address,uint8,uint64)',
    ],
    errors: [
      'NotGovernance(address)',
      'IssuerExists(address)',
      'UnknownIssuer(address)',
      'InvalidValidity(uint64,uint64)',
      'IssuerRevoked(address)',
      'InvalidStatusTransition(address,uint8,uint8)',
    ],
  },
  SchemaRegistry: {
    functions: [
      'publishSchema(string,string,bytes32,string)',
      'deprecateSchema(string,string)',
      'getSchema(string,string)',
      'isPublished(string,string)',
      'getVersions(string)',
      'getSchemaIds()',
      'governance()',
    ],
    events: ['SchemaPublished(bytes32,string,string,bytes32,string)', 'SchemaDeprecated(bytes32,string,string)'],
    errors: [
      'NotGovernance(address)',
      'SchemaVersionExists(string,string)',
      'UnknownSchema(string,string)',
      'AlreadyDeprecated(string,string)',
      'InvalidContentHash()',
    ],
  },
  CredentialStatusRegistry: {
    functions: [
      'updateStatus(address,uint8,uint256[],uint256[],bytes32)',
      'isSet(address,uint8,uint256)',
      'statusOf(address,uint256)',
      'getWord(address,uint8,uint256)',
      'getWords(address,uint8,uint256,uint256)',
      'auditHeadOf(address)',
      'didRegistry()',
      'REVOCATION()',
      'SUSPENSION()',
      'LIST_SIZE()',
    ],
    events: ['StatusUpdated(address,uint8,uint256[],uint256[])', 'AuditHeadAnchored(address,bytes32)'],
    errors: ['NotIssuerController(address,address)', 'UnknownPurpose(uint8)', 'IndexOutOfRange(uint256)', 'RevocationIsFinal(uint256)'],
  },
  AnchorRegistry: {
    functions: ['setAnchors(address,bytes32[],bytes32[])', 'anchorOf(address,bytes32)', 'didRegistry()'],
    events: ['Anchored(address,bytes32,bytes32)'],
    errors: ['NotIssuerController(address,address)', 'LengthMismatch()'],
  },
}

describe('contract artifacts', () => {
  it.each(Object.keys(expected) as Array<keyof typeof expected>)('%s has the agreed functions, events and errors', (name) => {
    const iface = new Interface(loadArtifact(name).abi)
    const functions = iface.fragments.filter((f) => f.type === 'function').map((f) => (f as { format(): string }).format())
    const events = iface.fragments.filter((f) => f.type === 'event').map((f) => (f as { format(): string }).format())
    const errors = iface.fragments.filter((f) => f.type === 'error').map((f) => (f as { format(): string }).format())
    expect(functions).toEqual(expect.arrayContaining(expected[name].functions))
    expect(events).toEqual(expect.arrayContaining(expected[name].events))
    expect(errors).toEqual(expect.arrayContaining(expected[name].errors))
  })

  it('loads every artifact with 0x bytecode, once', () => {
    const names: ContractName[] = [
      'ConsortiumGovernance',
      'TrustedIssuerRegistry',
      'SchemaRegistry',
      'CredentialStatusRegistry',
      'AnchorRegistry',
      'EthereumDIDRegistry',
    ]
    for (const name of names) {
      const artifact = loadArtifact(name)
      expect(artifact.bytecode).toMatch(/^0x[0-9a-f]{100,}$/i)
      expect(loadArtifact(name)).toBe(artifact)
    }
    const did = new Interface(loadArtifact('EthereumDIDRegistry').abi)
    expect(did.getFunction('addDelegate')?.format()).toBe('addDelegate(address,bytes32,address,uint256)')
    expect(did.getFunction('validDelegate')?.format()).toBe('validDelegate(address,bytes32,address)')
  })
})
