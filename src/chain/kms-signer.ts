import {
  AbstractSigner,
  computeAddress,
  getAddress,
  type Provider,
  type TransactionRequest,
  type TypedDataDomain,
  type TypedDataField,
} from 'ethers'
import type { IAgentContext, IKeyManager, IKey } from '@veramo/core-types'

type SignerContext = IAgentContext<Pick<IKeyManager, 'keyManagerSign'>>

/**
 * An ethers signer whose key stays in the Veramo key manager (`eth_signTransaction`).
 */
export class KmsSigner extends AbstractSigner {
  readonly address: string

  constructor(
    private readonly key: Pick<IKey, 'kid' | 'publicKeyHex'>,
    private readonly agent: SignerContext['agent'],
    provider: Provider | null = null,
  ) {
    super(provider)
    this.address = computeAddress(`0x${key.publicKeyHex}`)
  }

  override async getAddress(): Promise<string> {
    return this.address
  }

  override connect(provider: Provider | null): KmsSigner {
    return new KmsSigner(this.key, this.agent, provider)
  }

  override async signTransaction(request: TransactionRequest): Promise<string> {
    const { Transaction } = await import('ethers')
    const populated = await this.populateTransaction(request)
    if (populated.from != null && getAddress(populated.from as string) !== this.address) {
      throw new Error(`transaction from ${String(populated.from)} is not this signer (${this.address})`)
    }
    const tx = Transaction.from({ ...populated, from: undefined } as Parameters<typeof Transaction.from>[0])
    return this.agent.keyManagerSign({
      keyRef: this.key.kid,
      data: tx.unsignedSerialized,
      algorithm: 'eth_signTransaction',
      encoding: 'base16',
    })
  }

  override async signMessage(): Promise<string> {
    throw new Error('KmsSigner signs transactions only')
  }

  override async signTypedData(
    _domain: TypedDataDomain,
    _types: Record<string, TypedDataField[]>,
    _value: Record<string, unknown>,
  ): Promise<string> {
    throw new Error('KmsSigner signs transactions only')
  }
}
