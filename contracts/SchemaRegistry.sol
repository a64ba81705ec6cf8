// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title SchemaRegistry
/// @notice Credential schemas agreed by the consortium. Each (schemaId, version) is published once with the hash
///         of its canonical JSON and is never overwritten; a version can later be deprecated.
contract SchemaRegistry {
    struct SchemaVersion {
        bytes32 contentHash;
        uint64 publishedAt;
        bool deprecated;
        string uri;
    }

    /// @notice The caller is not the governance contract.
    error NotGovernance(address caller);
    /// @notice This schema version has already been published.
    error SchemaVersionExists(string schemaId, string version);
    /// @notice This schema version has not been published.
    error UnknownSchema(string schemaId, string version);
    /// @notice This schema version is already deprecated.
    error AlreadyDeprecated(string schemaId, string version);
    /// @notice The content hash must not be zero.
    error InvalidContentHash();
    /// @notice A required address argument was the zero address.
    error ZeroAddress();

    /// @notice A schema version was published; `key` is keccak256(abi.encode(schemaId, version)).
    event SchemaPublished(bytes32 indexed key, string schemaId, string version, bytes32 contentHash, string uri);
    /// @notice A schema version was deprecated.
    event SchemaDeprecated(bytes32 indexed key, string schemaId, string version);

    /// @notice The only account allowed to write (the consortium's governance contract).
    address public immutable governance;

    mapping(bytes32 => SchemaVersion) private _schemas;
    /// @dev keccak256(bytes(schemaId)) => versions in publication order.
    mapping(bytes32 => string[]) private _versions;
    string[] private _schemaIds;

    /// @param governance_ The ConsortiumGovernance contract.
    constructor(address governance_) {
        if (governance_ == address(0)) revert ZeroAddress();
        governance = governance_;
    }

    modifier onlyGovernance() {
        if (msg.sender != governance) revert NotGovernance(msg.sender);
        _;
    }

    /// @notice Publishes a schema version.
    /// @param schemaId The schema's identifier, e.g. "BusinessLicenseCredential".
    /// @param version The version, e.g. "1.0.0".
    /// @param contentHash Hash of the schema's canonical JSON; nonzero.
    /// @param uri Where the schema document can be fetched.
    function publishSchema(string calldata schemaId, string calldata version, bytes32 contentHash, string calldata uri)
        external
        onlyGovernance
    {
        if (contentHash == bytes32(0)) revert InvalidContentHash();
        bytes32 key = _key(schemaId, version);
        SchemaVersion storage schema = _schemas[key];
        if (schema.publishedAt != 0) revert SchemaVersionExists(schemaId, version);
        schema.contentHash = contentHash;
        schema.publishedAt = uint64(block.timestamp);
        schema.uri = uri;
        string[] storage versions = _versions[keccak256(bytes(schemaId))];
        if (versions.length == 0) _schemaIds.push(schemaId);
        versions.push(version);
        emit SchemaPublished(key, schemaId, version, contentHash, uri);
    }

    /// @notice Marks a published schema version as deprecated; it stays readable.
    /// @param schemaId The schema's identifier.
    /// @param version The version.
    function deprecateSchema(string calldata schemaId, string calldata version) external onlyGovernance {
        bytes32 key = _key(schemaId, version);
        SchemaVersion storage schema = _schemas[key];
        if (schema.publishedAt == 0) revert UnknownSchema(schemaId, version);
        if (schema.deprecated) revert AlreadyDeprecated(schemaId, version);
        schema.deprecated = true;
        emit SchemaDeprecated(key, schemaId, version);
    }

    /// @notice A published schema version.
    /// @param schemaId The schema's identifier.
    /// @param version The version.
    /// @return contentHash Hash of the schema's canonical JSON.
    /// @return uri Where the schema document can be fetched.
    /// @return publishedAt Block timestamp of publication.
    /// @return deprecated Whether it has been deprecated.
    function getSchema(string calldata schemaId, string calldata version)
        external
        view
        returns (bytes32 contentHash, string memory uri, uint64 publishedAt, bool deprecated)
    {
        SchemaVersion storage schema = _schemas[_key(schemaId, version)];
        if (schema.publishedAt == 0) revert UnknownSchema(schemaId, version);
        return (schema.contentHash, schema.uri, schema.publishedAt, schema.deprecated);
    }

    /// @notice Whether a schema version has been published.
    /// @param schemaId The schema's identifier.
    /// @param version The version.
    /// @return True if published (deprecated or not).
    function isPublished(string calldata schemaId, string calldata version) external view returns (bool) {
        return _schemas[_key(schemaId, version)].publishedAt != 0;
    }

    /// @notice The published versions of a schema, in publication order.
    /// @param schemaId The schema's identifier.
    /// @return The versions (empty if none).
    function getVersions(string calldata schemaId) external view returns (string[] memory) {
        return _versions[keccak256(bytes(schemaId))];
    }

    /// @notice Every schema id with at least one published version, in order of first publication.
    /// @return The schema ids.
    function getSchemaIds() external view returns (string[] memory) {
        return _schemaIds;
    }

    function _key(string calldata schemaId, string calldata version) private pure returns (bytes32) {
        return keccak256(abi.encode(schemaId, version));
    }
}
