// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IEthereumDIDRegistry} from "./IEthereumDIDRegistry.sol";

/// @title IssuerAuthorized
/// @notice Base for registries an issuer writes itself: the caller must control the issuer's did:ethr
///         identity, either as its ERC-1056 owner or as an unexpired `veriKey` or `sigAuth` delegate.
abstract contract IssuerAuthorized {
    /// @notice The caller neither owns `issuer`'s identity nor is a valid delegate of it.
    error NotIssuerController(address issuer, address caller);
    /// @notice A required address argument was the zero address.
    error ZeroAddress();

    bytes32 private constant VERI_KEY = bytes32("veriKey");
    bytes32 private constant SIG_AUTH = bytes32("sigAuth");

    /// @notice The ERC-1056 registry consulted for identity owners and delegates.
    IEthereumDIDRegistry public immutable didRegistry;

    /// @param didRegistry_ Address of the deployed ERC-1056 EthereumDIDRegistry.
    constructor(address didRegistry_) {
        if (didRegistry_ == address(0)) revert ZeroAddress();
        didRegistry = IEthereumDIDRegistry(didRegistry_);
    }

    /// @dev Reverts with NotIssuerController unless msg.sender controls `issuer`.
    modifier onlyIssuerController(address issuer) {
        if (!isIssuerController(issuer, msg.sender)) revert NotIssuerController(issuer, msg.sender);
        _;
    }

    /// @notice Whether `caller` may write on behalf of `issuer` right now.
    /// @param issuer The issuer's did:ethr identity address.
    /// @param caller The account to check.
    /// @return True if `caller` is the identity owner or a valid veriKey/sigAuth delegate.
    function isIssuerController(address issuer, address caller) public view returns (bool) {
        return caller == didRegistry.identityOwner(issuer)
            || didRegistry.validDelegate(issuer, VERI_KEY, caller)
            || didRegistry.validDelegate(issuer, SIG_AUTH, caller);
    }
}
