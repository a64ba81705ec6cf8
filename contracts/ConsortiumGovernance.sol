// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title ConsortiumGovernance
/// @notice An m-of-n multisig of consortium member departments. Every change to the trusted-issuer and
///         schema registries, and to this contract's own membership and threshold, is a proposal that
///         executes once enough current members approve it. A proposal lives for a lifetime fixed at
///         deployment: past it, it can no longer be approved or executed; its proposer can cancel it before.
/// @dev Approvals are counted live over the current members: the approval of a member who is later removed
///      stops counting, and does not come back if that member is added again (each admission is a new epoch).
contract ConsortiumGovernance {
    /// @notice The caller is not a current member.
    error NotMember(address account);
    /// @notice The caller is not this contract (the function is only reachable through a proposal).
    error NotGovernance(address caller);
    /// @notice A proposal with this id (same target, data and salt) already exists.
    error ProposalExists(bytes32 proposalId);
    /// @notice No proposal has this id.
    error UnknownProposal(bytes32 proposalId);
    /// @notice `member` has already approved the proposal.
    error AlreadyApproved(bytes32 proposalId, address member);
    /// @notice The proposal has already been executed.
    error AlreadyExecuted(bytes32 proposalId);
    /// @notice The proposal does not yet have enough approvals.
    error BelowThreshold(bytes32 proposalId, uint256 approvals, uint256 threshold);
    /// @notice The proposal's call reverted; `reason` is the target's revert data.
    error ExecutionFailed(bytes32 proposalId, bytes reason);
    /// @notice The threshold would fall outside 1..members.
    error InvalidThreshold(uint256 threshold, uint256 members);
    /// @notice The account is already a member.
    error AlreadyMember(address account);
    /// @notice The zero address and this contract itself cannot be members.
    error InvalidMember(address account);
    /// @notice The proposal's lifetime ended at `expiresAt`; it can no longer be approved, executed or cancelled.
    error ProposalExpired(bytes32 proposalId, uint64 expiresAt);
    /// @notice The proposal was cancelled by its proposer.
    error AlreadyCancelled(bytes32 proposalId);
    /// @notice Only the member who proposed it can cancel a proposal.
    error NotProposer(bytes32 proposalId, address caller);
    /// @notice The proposal lifetime must be between one minute and 3650 days.
    error InvalidLifetime(uint64 lifetime);

    /// @notice A member proposed a call.
    event ProposalCreated(bytes32 indexed proposalId, address indexed proposer, address indexed target, bytes data);
    /// @notice A member approved a proposal; `approvals` is the count after this approval.
    event ProposalApproved(bytes32 indexed proposalId, address indexed member, uint256 approvals);
    /// @notice A proposal's call was made and succeeded.
    event ProposalExecuted(bytes32 indexed proposalId);
    /// @notice The proposer cancelled a proposal; it can no longer be approved or executed.
    event ProposalCancelled(bytes32 indexed proposalId, address indexed proposer);
    /// @notice An account became a member.
    event MemberAdded(address indexed account);
    /// @notice An account stopped being a member.
    event MemberRemoved(address indexed account);
    /// @notice The number of approvals needed to execute changed.
    event ThresholdChanged(uint256 threshold);

    /// @notice Where a proposal stands: None (unknown id), Open, Executed, Expired or Cancelled.
    enum ProposalStatus {
        None,
        Open,
        Executed,
        Expired,
        Cancelled
    }

    struct Proposal {
        address target;
        address proposer;
        uint64 createdAt;
        uint64 expiresAt;
        uint64 createdBlock;
        uint32 round;
        bool executed;
        bool cancelled;
        bytes data;
    }

    /// @notice Seconds a proposal can be approved and executed after it was proposed; fixed at deployment.
    uint64 public immutable proposalLifetime;

    address[] private _members;
    /// @dev 1-based position in _members; 0 means not a member.
    mapping(address => uint256) private _memberPosition;
    /// @dev Epoch of the member's current admission; approvals from an earlier admission do not count.
    mapping(address => uint256) private _memberEpoch;
    uint256 private _epochCounter;
    uint256 private _threshold;

    mapping(bytes32 => Proposal) private _proposals;
    /// @dev proposalId => round => member => epoch in which the member approved (0 = never). A proposal id that
    ///      expired or was cancelled can be proposed again: a new round, in which earlier approvals do not count.
    mapping(bytes32 => mapping(uint256 => mapping(address => uint256))) private _approvalEpoch;

    /// @param initialMembers The founding member accounts (distinct, nonzero).
    /// @param initialThreshold Approvals needed to execute; 1 <= threshold <= members.
    /// @param proposalLifetime_ Seconds a proposal stays open (e.g. 7 days); 60 <= lifetime <= 3650 days.
    constructor(address[] memory initialMembers, uint256 initialThreshold, uint64 proposalLifetime_) {
        if (proposalLifetime_ < 60 || proposalLifetime_ > 3650 days) revert InvalidLifetime(proposalLifetime_);
        proposalLifetime = proposalLifetime_;
        for (uint256 i = 0; i < initialMembers.length; i++) {
            _addMember(initialMembers[i]);
        }
        _setThreshold(initialThreshold);
    }

    modifier onlyMember() {
        if (_memberPosition[msg.sender] == 0) revert NotMember(msg.sender);
        _;
    }

    modifier onlyGovernance() {
        if (msg.sender != address(this)) revert NotGovernance(msg.sender);
        _;
    }

    /// @notice Proposes that this contract call `target` with `data`; the proposer's approval counts, and the
    ///         call is made at once if that already meets the threshold. An id whose proposal expired or was
    ///         cancelled can be proposed again; approvals given before do not count for the new proposal.
    /// @param target The contract to call.
    /// @param data The ABI-encoded call.
    /// @param salt Distinguishes otherwise identical proposals.
    /// @return proposalId keccak256(abi.encode(target, data, salt)).
    function propose(address target, bytes calldata data, bytes32 salt) external onlyMember returns (bytes32 proposalId) {
        proposalId = keccak256(abi.encode(target, data, salt));
        Proposal storage p = _proposals[proposalId];
        if (p.proposer != address(0)) {
            ProposalStatus status = _status(p);
            if (status == ProposalStatus.Open || status == ProposalStatus.Executed) revert ProposalExists(proposalId);
            p.round += 1;
            p.cancelled = false;
        } else {
            p.target = target;
            p.data = data;
        }
        p.proposer = msg.sender;
        p.createdAt = uint64(block.timestamp);
        p.expiresAt = uint64(block.timestamp) + proposalLifetime;
        p.createdBlock = uint64(block.number);
        emit ProposalCreated(proposalId, msg.sender, target, data);
        _recordApproval(proposalId);
    }

    /// @notice Approves an open proposal; the call is made as soon as approvals reach the threshold.
    /// @dev If the call fails the whole transaction reverts with ExecutionFailed, including this approval.
    /// @param proposalId The proposal to approve.
    function approve(bytes32 proposalId) external onlyMember {
        _requireOpen(proposalId);
        if (hasApproved(proposalId, msg.sender)) revert AlreadyApproved(proposalId, msg.sender);
        _recordApproval(proposalId);
    }

    /// @notice Makes an open proposal's call when it has enough approvals, e.g. after the threshold was lowered.
    /// @param proposalId The proposal to execute.
    function execute(bytes32 proposalId) external onlyMember {
        Proposal storage p = _requireOpen(proposalId);
        uint256 approvals = _countApprovals(proposalId);
        if (approvals < _threshold) revert BelowThreshold(proposalId, approvals, _threshold);
        _execute(proposalId, p);
    }

    /// @notice Cancels an open proposal; only its proposer can, while still a member.
    /// @param proposalId The proposal to cancel.
    function cancel(bytes32 proposalId) external onlyMember {
        Proposal storage p = _requireOpen(proposalId);
        if (p.proposer != msg.sender) revert NotProposer(proposalId, msg.sender);
        p.cancelled = true;
        emit ProposalCancelled(proposalId, msg.sender);
    }

    /// @notice Admits a member. Only through a proposal.
    /// @param account The new member.
    function addMember(address account) external onlyGovernance {
        _addMember(account);
    }

    /// @notice Removes a member; the threshold must stay reachable. Only through a proposal.
    /// @param account The member to remove.
    function removeMember(address account) external onlyGovernance {
        uint256 position = _memberPosition[account];
        if (position == 0) revert NotMember(account);
        uint256 remaining = _members.length - 1;
        if (_threshold > remaining) revert InvalidThreshold(_threshold, remaining);
        address last = _members[remaining];
        _members[position - 1] = last;
        _memberPosition[last] = position;
        _members.pop();
        delete _memberPosition[account];
        delete _memberEpoch[account];
        emit MemberRemoved(account);
    }

    /// @notice Sets the number of approvals needed to execute. Only through a proposal.
    /// @param newThreshold 1 <= newThreshold <= member count.
    function setThreshold(uint256 newThreshold) external onlyGovernance {
        _setThreshold(newThreshold);
    }

    /// @notice Whether `account` is a current member.
    /// @param account The account to check.
    /// @return True for a member.
    function isMember(address account) external view returns (bool) {
        return _memberPosition[account] != 0;
    }

    /// @notice The current members, in no particular order.
    /// @return The member accounts.
    function getMembers() external view returns (address[] memory) {
        return _members;
    }

    /// @notice Approvals needed to execute a proposal.
    /// @return The threshold.
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @notice A proposal's content and state; all fields are zero for an unknown id.
    /// @param proposalId The proposal.
    /// @return target The contract to call.
    /// @return data The ABI-encoded call.
    /// @return proposer The member who proposed it (zero if unknown).
    /// @return approvals Approvals by current members.
    /// @return executed Whether the call has been made.
    /// @return createdAt Block timestamp of the proposal.
    function getProposal(bytes32 proposalId)
        external
        view
        returns (address target, bytes memory data, address proposer, uint256 approvals, bool executed, uint64 createdAt)
    {
        Proposal storage p = _proposals[proposalId];
        return (p.target, p.data, p.proposer, _countApprovals(proposalId), p.executed, p.createdAt);
    }

    /// @notice A proposal's lifecycle: its status now, when it expires, and the block it was (last) proposed in.
    /// @param proposalId The proposal.
    /// @return status None for an unknown id, else Open, Executed, Expired or Cancelled.
    /// @return expiresAt Block timestamp from which it can no longer be approved or executed.
    /// @return createdBlock Block of the (latest) ProposalCreated event; its approvals are logged from there on.
    /// @return round 0 for the first proposal of this id, one more for each re-proposal after expiry or cancel.
    function getProposalStatus(bytes32 proposalId)
        external
        view
        returns (ProposalStatus status, uint64 expiresAt, uint64 createdBlock, uint32 round)
    {
        Proposal storage p = _proposals[proposalId];
        return (_status(p), p.expiresAt, p.createdBlock, p.round);
    }

    /// @notice Whether `member` has approved the proposal during its current membership (and current round).
    /// @param proposalId The proposal.
    /// @param member The account to check.
    /// @return True if the approval counts.
    function hasApproved(bytes32 proposalId, address member) public view returns (bool) {
        uint256 epoch = _approvalEpoch[proposalId][_proposals[proposalId].round][member];
        return epoch != 0 && epoch == _memberEpoch[member];
    }

    function _status(Proposal storage p) private view returns (ProposalStatus) {
        if (p.proposer == address(0)) return ProposalStatus.None;
        if (p.executed) return ProposalStatus.Executed;
        if (p.cancelled) return ProposalStatus.Cancelled;
        if (block.timestamp >= p.expiresAt) return ProposalStatus.Expired;
        return ProposalStatus.Open;
    }

    function _requireOpen(bytes32 proposalId) private view returns (Proposal storage p) {
        p = _proposals[proposalId];
        if (p.proposer == address(0)) revert UnknownProposal(proposalId);
        if (p.executed) revert AlreadyExecuted(proposalId);
        if (p.cancelled) revert AlreadyCancelled(proposalId);
        if (block.timestamp >= p.expiresAt) revert ProposalExpired(proposalId, p.expiresAt);
    }

    function _recordApproval(bytes32 proposalId) private {
        _approvalEpoch[proposalId][_proposals[proposalId].round][msg.sender] = _memberEpoch[msg.sender];
        uint256 approvals = _countApprovals(proposalId);
        emit ProposalApproved(proposalId, msg.sender, approvals);
        if (approvals >= _threshold) _execute(proposalId, _proposals[proposalId]);
    }

    function _execute(bytes32 proposalId, Proposal storage p) private {
        // Marked before the call so a re-entrant path cannot execute it twice; a failed call reverts this too.
        p.executed = true;
        (bool ok, bytes memory reason) = p.target.call(p.data);
        if (!ok) revert ExecutionFailed(proposalId, reason);
        emit ProposalExecuted(proposalId);
    }

    function _countApprovals(bytes32 proposalId) private view returns (uint256 count) {
        uint256 n = _members.length;
        for (uint256 i = 0; i < n; i++) {
            if (hasApproved(proposalId, _members[i])) count++;
        }
    }

    function _addMember(address account) private {
        if (account == address(0) || account == address(this)) revert InvalidMember(account);
        if (_memberPosition[account] != 0) revert AlreadyMember(account);
        _members.push(account);
        _memberPosition[account] = _members.length;
        _memberEpoch[account] = ++_epochCounter;
        emit MemberAdded(account);
    }

    function _setThreshold(uint256 newThreshold) private {
        if (newThreshold == 0 || newThreshold > _members.length) revert InvalidThreshold(newThreshold, _members.length);
        _threshold = newThreshold;
        emit ThresholdChanged(newThreshold);
    }
}
