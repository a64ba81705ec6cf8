// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IEthereumDIDRegistry
/// @notice The read-only slice of the ERC-1056 registry (did:ethr) that the issuer-written registries need.
interface IEthereumDIDRegistry {
    /// @notice The account that currently controls `identity` (the identity itself until ownership changes).
    /// @param identity The did:ethr identity address.
    /// @return The controlling account.
    function identityOwner(address identity) external view returns (address);

    /// @notice Whether `delegate` is an unexpired delegate of `identity` for `delegateType`.
    /// @param identity The did:ethr identity address.
    /// @param delegateType The delegate type as bytes32, e.g. bytes32("veriKey").
    /// @param delegate The account to check.
    /// @return True while the delegation is valid.
    function validDelegate(address identity, bytes32 delegateType, address delegate) external view returns (bool);
}
