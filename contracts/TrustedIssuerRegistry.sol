// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title TrustedIssuerRegistry
/// @notice The consortium's list of accredited issuing departments: which credential types each may issue,
///         over which validity window, and the full history of its status so that a verifier can ask whether
///         an issuer was accredited at the time a credential was issued.
/// @dev Holds organisation data only (department name and unified social credit code), never personal data.
contract TrustedIssuerRegistry {
    enum IssuerStatus {
        None,
        Active,
        Suspended,
        Revoked
    }

    struct Issuer {
        address account;
        string name;
        string unifiedSocialCreditCode;
        bytes32[] credentialTypes;
        uint64 validFrom;
        uint64 validUntil;
        IssuerStatus status;
        uint64 registeredAt;
        uint64 statusChangedAt;
    }

    struct StatusChange {
        IssuerStatus status;
        uint64 at;
    }

    /// @notice The caller is not the governance contract.
    error NotGovernance(address caller);
    /// @notice The account is already registered.
    error IssuerExists(address account);
    /// @notice The account is not registered.
    error UnknownIssuer(address account);
    /// @notice validUntil must be after validFrom.
    error InvalidValidity(uint64 validFrom, uint64 validUntil);
    /// @notice The issuer was revoked; revocation is final.
    error IssuerRevoked(address account);
    /// @notice The requested status change is not allowed from the current status.
    error InvalidStatusTransition(address account, uint8 from, uint8 to);
    /// @notice A required address argument was the zero address.
    error ZeroAddress();

    /// @notice An issuer was accredited.
    event IssuerRegistered(address indexed account, string name, bytes32[] credentialTypes, uint64 validFrom, uint64 validUntil);
    /// @notice An issuer's list of credential types was replaced.
    event IssuerCredentialTypesChanged(address indexed account, bytes32[] credentialTypes);
    /// @notice An issuer's validity window was replaced.
    event IssuerValidityChanged(address indexed account, uint64 validFrom, uint64 validUntil);
    /// @notice An issuer's status changed (also emitted on registration, with Active).
    event IssuerStatusChanged(address indexed account, IssuerStatus status, uint64 at);

    /// @notice The only account allowed to write (the consortium's governance contract).
    address public immutable governance;

    mapping(address => Issuer) private _issuers;
    mapping(address => StatusChange[]) private _history;
    address[] private _accounts;

    /// @param governance_ The ConsortiumGovernance contract.
    constructor(address governance_) {
        if (governance_ == address(0)) revert ZeroAddress();
        governance = governance_;
    }

    modifier onlyGovernance() {
        if (msg.sender != governance) revert NotGovernance(msg.sender);
        _;
    }

    /// @notice Accredits a new issuer, Active from now.
    /// @param account The issuer's did:ethr identity address.
    /// @param name The department's official name.
    /// @param unifiedSocialCreditCode The department's 18-character unified social credit code.
    /// @param credentialTypes keccak256 of each credential type name it may issue.
    /// @param validFrom Start of accreditation (unix seconds, inclusive).
    /// @param validUntil End of accreditation (exclusive); type(uint64).max for open-ended.
    function registerIssuer(
        address account,
        string calldata name,
        string calldata unifiedSocialCreditCode,
        bytes32[] calldata credentialTypes,
        uint64 validFrom,
        uint64 validUntil
    ) external onlyGovernance {
        if (account == address(0)) revert ZeroAddress();
        Issuer storage issuer = _issuers[account];
        if (issuer.status != IssuerStatus.None) revert IssuerExists(account);
        if (validUntil <= validFrom) revert InvalidValidity(validFrom, validUntil);
        issuer.account = account;
        issuer.name = name;
        issuer.unifiedSocialCreditCode = unifiedSocialCreditCode;
        issuer.credentialTypes = credentialTypes;
        issuer.validFrom = validFrom;
        issuer.validUntil = validUntil;
        issuer.registeredAt = uint64(block.timestamp);
        _accounts.push(account);
        emit IssuerRegistered(account, name, credentialTypes, validFrom, validUntil);
        _changeStatus(account, issuer, IssuerStatus.Active);
    }

    /// @notice Replaces the credential types an issuer may issue.
    /// @param account The issuer.
    /// @param credentialTypes keccak256 of each credential type name.
    function setCredentialTypes(address account, bytes32[] calldata credentialTypes) external onlyGovernance {
        Issuer storage issuer = _existingNotRevoked(account);
        issuer.credentialTypes = credentialTypes;
        emit IssuerCredentialTypesChanged(account, credentialTypes);
    }

    /// @notice Replaces an issuer's validity window.
    /// @param account The issuer.
    /// @param validFrom Start (inclusive).
    /// @param validUntil End (exclusive), after validFrom.
    function setValidity(address account, uint64 validFrom, uint64 validUntil) external onlyGovernance {
        Issuer storage issuer = _existingNotRevoked(account);
        if (validUntil <= validFrom) revert InvalidValidity(validFrom, validUntil);
        issuer.validFrom = validFrom;
        issuer.validUntil = validUntil;
        emit IssuerValidityChanged(account, validFrom, validUntil);
    }

    /// @notice Suspends an Active issuer from now on.
    /// @param account The issuer.
    function suspendIssuer(address account) external onlyGovernance {
        _transition(account, IssuerStatus.Active, IssuerStatus.Suspended);
    }

    /// @notice Returns a Suspended issuer to Active from now on.
    /// @param account The issuer.
    function reinstateIssuer(address account) external onlyGovernance {
        _transition(account, IssuerStatus.Suspended, IssuerStatus.Active);
    }

    /// @notice Revokes an issuer from now on; final. Credentials issued while it was Active stay attributable.
    /// @param account The issuer.
    function revokeIssuer(address account) external onlyGovernance {
        Issuer storage issuer = _existingNotRevoked(account);
        _changeStatus(account, issuer, IssuerStatus.Revoked);
    }

    /// @notice Whether `account` was accredited for `credentialType` at time `at`: registered, the type in its
    ///         list, validFrom <= at < validUntil, and Active according to the status in force at `at`.
    /// @dev The status is answered historically; the type list and validity window are the current ones.
    /// @param account The issuer.
    /// @param credentialType keccak256 of the credential type name.
    /// @param at Unix seconds, e.g. the credential's issuance date.
    /// @return True if accredited.
    function isAccredited(address account, bytes32 credentialType, uint64 at) external view returns (bool) {
        Issuer storage issuer = _issuers[account];
        if (issuer.status == IssuerStatus.None) return false;
        if (at < issuer.validFrom || at >= issuer.validUntil) return false;
        if (!_hasType(issuer.credentialTypes, credentialType)) return false;
        return _statusAt(_history[account], at) == IssuerStatus.Active;
    }

    /// @notice An issuer's record.
    /// @param account The issuer.
    /// @return The record; reverts UnknownIssuer if not registered.
    function getIssuer(address account) external view returns (Issuer memory) {
        Issuer storage issuer = _issuers[account];
        if (issuer.status == IssuerStatus.None) revert UnknownIssuer(account);
        return issuer;
    }

    /// @notice Every account ever registered, in registration order.
    /// @return The issuer accounts.
    function getIssuerAccounts() external view returns (address[] memory) {
        return _accounts;
    }

    /// @notice Every status an issuer has had, oldest first.
    /// @param account The issuer.
    /// @return The status changes (empty if not registered).
    function getStatusHistory(address account) external view returns (StatusChange[] memory) {
        return _history[account];
    }

    function _transition(address account, IssuerStatus from, IssuerStatus to) private {
        Issuer storage issuer = _existingNotRevoked(account);
        if (issuer.status != from) revert InvalidStatusTransition(account, uint8(issuer.status), uint8(to));
        _changeStatus(account, issuer, to);
    }

    function _changeStatus(address account, Issuer storage issuer, IssuerStatus status) private {
        uint64 at = uint64(block.timestamp);
        issuer.status = status;
        issuer.statusChangedAt = at;
        _history[account].push(StatusChange(status, at));
        emit IssuerStatusChanged(account, status, at);
    }

    function _existingNotRevoked(address account) private view returns (Issuer storage issuer) {
        issuer = _issuers[account];
        if (issuer.status == IssuerStatus.None) revert UnknownIssuer(account);
        if (issuer.status == IssuerStatus.Revoked) revert IssuerRevoked(account);
    }

    function _hasType(bytes32[] storage types, bytes32 credentialType) private view returns (bool) {
        uint256 n = types.length;
        for (uint256 i = 0; i < n; i++) {
            if (types[i] == credentialType) return true;
        }
        return false;
    }

    /// @dev The latest entry with entry.at <= at (entries are in non-decreasing time order); None if none.
    function _statusAt(StatusChange[] storage history, uint64 at) private view returns (IssuerStatus) {
        uint256 low = 0;
        uint256 high = history.length;
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (history[mid].at <= at) low = mid + 1;
            else high = mid;
        }
        return low == 0 ? IssuerStatus.None : history[low - 1].status;
    }
}
