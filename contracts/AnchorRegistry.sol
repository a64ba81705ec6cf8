// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IssuerAuthorized} from "./IssuerAuthorized.sol";

/// @title AnchorRegistry
/// @notice Issuer-written key/value anchors (e.g. Merkle roots of issued-credential digests or audit logs), each
///         stamped with the block time it was written. Only hashes are stored, never personal data.
contract AnchorRegistry is IssuerAuthorized {
    struct Anchor {
        bytes32 value;
        uint64 at;
    }

    /// @notice keys and values must have the same length.
    error LengthMismatch();

    /// @notice `issuer` set `key` to `value`.
    event Anchored(address indexed issuer, bytes32 indexed key, bytes32 value);

    mapping(address => mapping(bytes32 => Anchor)) private _anchors;

    /// @param didRegistry_ Address of the deployed ERC-1056 EthereumDIDRegistry.
    constructor(address didRegistry_) IssuerAuthorized(didRegistry_) {}

    /// @notice Sets anchors for `issuer`; callable by the issuer's identity owner or a veriKey/sigAuth delegate.
    /// @param issuer The issuer's did:ethr identity address.
    /// @param keys The anchor keys.
    /// @param values The values, one per key; a later write to a key replaces the earlier one.
    function setAnchors(address issuer, bytes32[] calldata keys, bytes32[] calldata values)
        external
        onlyIssuerController(issuer)
    {
        if (keys.length != values.length) revert LengthMismatch();
        mapping(bytes32 => Anchor) storage anchors = _anchors[issuer];
        uint64 at = uint64(block.timestamp);
        for (uint256 i = 0; i < keys.length; i++) {
            anchors[keys[i]] = Anchor(values[i], at);
            emit Anchored(issuer, keys[i], values[i]);
        }
    }

    /// @notice The latest anchor an issuer set under `key`.
    /// @param issuer The issuer.
    /// @param key The anchor key.
    /// @return value The anchored value (zero if never set).
    /// @return at Block timestamp of the write (zero if never set).
    function anchorOf(address issuer, bytes32 key) external view returns (bytes32 value, uint64 at) {
        Anchor storage anchor = _anchors[issuer][key];
        return (anchor.value, anchor.at);
    }
}
