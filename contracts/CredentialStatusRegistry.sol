// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IssuerAuthorized} from "./IssuerAuthorized.sol";

/// @title CredentialStatusRegistry
/// @notice Per-issuer status bit lists (revocation and suspension, 2^20 entries each), written by the issuer's
///         controller. A credential holds only its list index; nothing personal is stored.
/// @dev Bits live in 256-bit words; consecutive indices that fall in the same word are written with one SSTORE,
///      so a batch of sequential indices costs about one storage write per 256 bits.
contract CredentialStatusRegistry is IssuerAuthorized {
    /// @notice Purpose of the revocation list; its bits can never be cleared.
    uint8 public constant REVOCATION = 0;
    /// @notice Purpose of the suspension list.
    uint8 public constant SUSPENSION = 1;
    /// @notice Number of entries in each list.
    uint256 public constant LIST_SIZE = 1 << 20;

    struct AuditHead {
        bytes32 head;
        uint64 at;
    }

    /// @notice The purpose is neither REVOCATION nor SUSPENSION.
    error UnknownPurpose(uint8 purpose);
    /// @notice The index (or word index) is beyond the list.
    error IndexOutOfRange(uint256 index);
    /// @notice Revocation bits cannot be cleared.
    error RevocationIsFinal(uint256 index);

    /// @notice `issuer` set and then cleared the given indices of its `purpose` list.
    event StatusUpdated(address indexed issuer, uint8 indexed purpose, uint256[] setIndices, uint256[] clearIndices);
    /// @notice `issuer` recorded the head of its off-chain audit log.
    event AuditHeadAnchored(address indexed issuer, bytes32 head);

    mapping(address issuer => mapping(uint8 purpose => mapping(uint256 word => uint256 bits))) private _bits;
    mapping(address issuer => AuditHead) private _auditHeads;

    /// @param didRegistry_ Address of the deployed ERC-1056 EthereumDIDRegistry.
    constructor(address didRegistry_) IssuerAuthorized(didRegistry_) {}

    /// @notice Sets, then clears, bits of one of `issuer`'s lists, and optionally anchors its audit head.
    ///         Callable by the issuer's identity owner or a veriKey/sigAuth delegate.
    /// @param issuer The issuer's did:ethr identity address.
    /// @param purpose REVOCATION (0) or SUSPENSION (1).
    /// @param setIndices Indices to set; sorted input is cheapest.
    /// @param clearIndices Indices to clear; must be empty for REVOCATION.
    /// @param auditHead Head of the issuer's audit log to anchor, or zero to leave it unchanged.
    function updateStatus(
        address issuer,
        uint8 purpose,
        uint256[] calldata setIndices,
        uint256[] calldata clearIndices,
        bytes32 auditHead
    ) external onlyIssuerController(issuer) {
        _checkPurpose(purpose);
        mapping(uint256 => uint256) storage words = _bits[issuer][purpose];
        _apply(words, setIndices, true);
        if (clearIndices.length != 0) {
            if (purpose == REVOCATION) revert RevocationIsFinal(clearIndices[0]);
            _apply(words, clearIndices, false);
        }
        emit StatusUpdated(issuer, purpose, setIndices, clearIndices);
        if (auditHead != bytes32(0)) {
            _auditHeads[issuer] = AuditHead(auditHead, uint64(block.timestamp));
            emit AuditHeadAnchored(issuer, auditHead);
        }
    }

    /// @notice Whether a bit is set.
    /// @param issuer The issuer.
    /// @param purpose REVOCATION (0) or SUSPENSION (1).
    /// @param index The credential's list index.
    /// @return True if set.
    function isSet(address issuer, uint8 purpose, uint256 index) public view returns (bool) {
        _checkPurpose(purpose);
        if (index >= LIST_SIZE) revert IndexOutOfRange(index);
        return (_bits[issuer][purpose][index >> 8] >> (index & 0xff)) & 1 == 1;
    }

    /// @notice Both status bits of one list index.
    /// @param issuer The issuer.
    /// @param index The credential's list index.
    /// @return revoked Whether the revocation bit is set.
    /// @return suspended Whether the suspension bit is set.
    function statusOf(address issuer, uint256 index) external view returns (bool revoked, bool suspended) {
        return (isSet(issuer, REVOCATION, index), isSet(issuer, SUSPENSION, index));
    }

    /// @notice A 256-bit word of a list: bit i is list index wordIndex * 256 + i.
    /// @param issuer The issuer.
    /// @param purpose REVOCATION (0) or SUSPENSION (1).
    /// @param wordIndex The word, below LIST_SIZE / 256.
    /// @return The word.
    function getWord(address issuer, uint8 purpose, uint256 wordIndex) external view returns (uint256) {
        _checkPurpose(purpose);
        if (wordIndex >= LIST_SIZE >> 8) revert IndexOutOfRange(wordIndex);
        return _bits[issuer][purpose][wordIndex];
    }

    /// @notice Consecutive 256-bit words of a list, for readers that need the whole list (a status list token).
    /// @param issuer The issuer.
    /// @param purpose REVOCATION (0) or SUSPENSION (1).
    /// @param fromWord The first word.
    /// @param count How many words; fromWord + count must not pass LIST_SIZE / 256.
    /// @return words The words, words[k] being word fromWord + k.
    function getWords(address issuer, uint8 purpose, uint256 fromWord, uint256 count) external view returns (uint256[] memory words) {
        _checkPurpose(purpose);
        if (fromWord > LIST_SIZE >> 8 || count > (LIST_SIZE >> 8) - fromWord) revert IndexOutOfRange(fromWord + count);
        mapping(uint256 => uint256) storage list = _bits[issuer][purpose];
        words = new uint256[](count);
        for (uint256 k = 0; k < count; ++k) words[k] = list[fromWord + k];
    }

    /// @notice The latest audit head an issuer anchored.
    /// @param issuer The issuer.
    /// @return head The audit log head (zero if never anchored).
    /// @return at Block timestamp of the anchoring.
    function auditHeadOf(address issuer) external view returns (bytes32 head, uint64 at) {
        AuditHead storage a = _auditHeads[issuer];
        return (a.head, a.at);
    }

    /// @dev Runs of consecutive indices in the same word are folded into one mask and one storage write.
    function _apply(mapping(uint256 => uint256) storage words, uint256[] calldata indices, bool set) private {
        uint256 n = indices.length;
        uint256 i = 0;
        while (i < n) {
            uint256 index = indices[i];
            if (index >= LIST_SIZE) revert IndexOutOfRange(index);
            uint256 word = index >> 8;
            uint256 mask = 1 << (index & 0xff);
            for (++i; i < n; ++i) {
                index = indices[i];
                if (index >> 8 != word) break;
                mask |= 1 << (index & 0xff);
            }
            if (set) words[word] |= mask;
            else words[word] &= ~mask;
        }
    }

    function _checkPurpose(uint8 purpose) private pure {
        if (purpose != REVOCATION && purpose != SUSPENSION) revert UnknownPurpose(purpose);
    }
}
