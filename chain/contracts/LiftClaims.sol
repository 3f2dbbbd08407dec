// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IERC20Transfer
/// @notice The one ERC-20 function LiftClaims calls on its reward token.
interface IERC20Transfer {
    /// @notice Move `value` of the caller's tokens to `to`.
    function transfer(address to, uint256 value) external returns (bool);
}

/// @title LiftClaims
/// @notice Pays Liftledger rewards in an ERC-20 token against either an EIP-712 voucher
///         signed by the service's signer or a Merkle proof against a published round root.
/// @dev Amounts are cumulative: a claim pays `cumulativeAmount - claimed[claimant]`, so any
///      newer voucher or root supersedes older ones and nothing can be paid twice.
///      Merkle leaves follow OpenZeppelin's StandardMerkleTree
///      (`keccak256(bytes.concat(keccak256(abi.encode(account, amount))))`) and proofs hash
///      sorted pairs like OpenZeppelin's MerkleProof.
contract LiftClaims {
    // The EIP-712 type strings must be exactly the standard text (hashed at compile time).
    // solhint-disable gas-small-strings
    bytes32 private constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    /// @notice EIP-712 type hash of the Voucher struct.
    bytes32 public constant VOUCHER_TYPEHASH = keccak256(
        "Voucher(address claimant,uint256 cumulativeAmount,uint256 round,uint256 nonce,uint256 deadline)"
    );
    // solhint-enable gas-small-strings
    bytes32 private constant NAME_HASH = keccak256("LiftClaims");
    bytes32 private constant VERSION_HASH = keccak256("1");
    // secp256k1n / 2: signatures with a larger s are malleable twins and are refused.
    uint256 private constant HALF_ORDER =
        0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @notice The ERC-20 token rewards are paid in.
    address public immutable token;
    uint256 private immutable cachedChainId;
    bytes32 private immutable cachedDomainSeparator;

    /// @notice The account that administers the contract.
    address public owner;
    /// @notice The key whose vouchers the contract honours.
    address public signer;
    /// @notice Each round's published Merkle root of cumulative balances.
    mapping(uint256 => bytes32) public roots;
    /// @notice The cumulative amount paid to each claimant so far.
    mapping(address => uint256) public claimed;
    /// @notice Voucher nonces already redeemed, per claimant.
    mapping(address => mapping(uint256 => bool)) public nonceUsed;

    // Amounts are event data the server reads back, not search keys.
    // solhint-disable gas-indexed-events
    /// @notice `claimant` was paid `amount`, reaching `cumulativeAmount`, in `round`.
    event Claimed(
        address indexed claimant,
        uint256 indexed round,
        uint256 amount,
        uint256 cumulativeAmount
    );
    // solhint-enable gas-indexed-events
    /// @notice `claimant` redeemed the voucher with `nonce`.
    event VoucherRedeemed(address indexed claimant, uint256 indexed nonce);
    /// @notice The owner published `root` for `round`.
    event RootPublished(uint256 indexed round, bytes32 root);
    /// @notice The voucher signer changed from `previousSigner` to `newSigner`.
    event SignerChanged(address indexed previousSigner, address indexed newSigner);
    /// @notice Administration moved from `previousOwner` to `newOwner`.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner();
    error ZeroAddress();
    error NotClaimant();
    error AlreadyClaimed();
    error NonceUsed();
    error Expired();
    error BadSignature();
    error UnknownRoot();
    error InvalidProof();
    error RootAlreadyPublished();
    error TransferFailed();

    constructor(address token_, address signer_) {
        if (token_ == address(0) || signer_ == address(0)) revert ZeroAddress();
        token = token_;
        signer = signer_;
        owner = msg.sender;
        cachedChainId = block.chainid;
        cachedDomainSeparator = _buildDomainSeparator();
        emit OwnershipTransferred(address(0), msg.sender);
        emit SignerChanged(address(0), signer_);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @notice Replace the key whose vouchers the contract honours.
    function setSigner(address newSigner) external onlyOwner {
        if (newSigner == address(0)) revert ZeroAddress();
        emit SignerChanged(signer, newSigner);
        signer = newSigner;
    }

    /// @notice Hand administration to `newOwner`.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// @notice Publish the Merkle root of cumulative balances for `round`; roots are final.
    function publishRoot(uint256 round, bytes32 root) external onlyOwner {
        if (root == bytes32(0)) revert UnknownRoot();
        if (roots[round] != bytes32(0)) revert RootAlreadyPublished();
        roots[round] = root;
        emit RootPublished(round, root);
    }

    /// @notice EIP-712 domain separator (recomputed if the chain forks to a new id).
    function domainSeparator() public view returns (bytes32) {
        return block.chainid == cachedChainId ? cachedDomainSeparator : _buildDomainSeparator();
    }

    /// @notice EIP-712 digest a voucher's signature must cover.
    function voucherDigest(
        address claimant,
        uint256 cumulativeAmount,
        uint256 round,
        uint256 nonce,
        uint256 deadline
    ) public view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(VOUCHER_TYPEHASH, claimant, cumulativeAmount, round, nonce, deadline)
        );
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    /// @notice Claim with a voucher signed by `signer`; only the claimant may submit it.
    function claimWithVoucher(
        address claimant,
        uint256 cumulativeAmount,
        uint256 round,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 paid) {
        if (msg.sender != claimant) revert NotClaimant();
        if (block.timestamp > deadline) revert Expired();
        bytes32 digest = voucherDigest(claimant, cumulativeAmount, round, nonce, deadline);
        if (_recover(digest, signature) != signer) revert BadSignature();
        paid = _owed(claimant, cumulativeAmount);
        if (nonceUsed[claimant][nonce]) revert NonceUsed();
        nonceUsed[claimant][nonce] = true;
        emit VoucherRedeemed(claimant, nonce);
        _pay(claimant, round, paid, cumulativeAmount);
    }

    /// @notice Claim with a Merkle proof of `(account, cumulativeAmount)` in `round`'s root.
    function claimWithProof(
        address account,
        uint256 round,
        uint256 cumulativeAmount,
        bytes32[] calldata proof
    ) external returns (uint256 paid) {
        if (msg.sender != account) revert NotClaimant();
        bytes32 root = roots[round];
        if (root == bytes32(0)) revert UnknownRoot();
        bytes32 node = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
        if (!verifyProof(proof, root, node)) revert InvalidProof();
        paid = _owed(account, cumulativeAmount);
        _pay(account, round, paid, cumulativeAmount);
    }

    /// @notice OpenZeppelin-compatible Merkle verification with sorted pair hashing.
    function verifyProof(
        bytes32[] calldata proof,
        bytes32 root,
        bytes32 leaf
    ) public pure returns (bool) {
        bytes32 node = leaf;
        for (uint256 i = 0; i < proof.length; ++i) {
            bytes32 sibling = proof[i];
            node =
                node < sibling
                    ? keccak256(abi.encodePacked(node, sibling))
                    : keccak256(abi.encodePacked(sibling, node));
        }
        return node == root;
    }

    function _owed(address claimant, uint256 cumulativeAmount) private view returns (uint256) {
        uint256 already = claimed[claimant];
        // `<=` states the rule exactly: nothing is owed unless the total grew.
        // solhint-disable-next-line gas-strict-inequalities
        if (cumulativeAmount <= already) revert AlreadyClaimed();
        return cumulativeAmount - already;
    }

    // Effects before the interaction: `claimed` is raised before tokens move.
    function _pay(address claimant, uint256 round, uint256 amount, uint256 cumulative) private {
        claimed[claimant] = cumulative;
        emit Claimed(claimant, round, amount, cumulative);
        // A low-level call, as in OpenZeppelin's SafeERC20: it also accepts tokens whose
        // transfer returns nothing, and a `false` return still reverts below.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory data) = token.call(
            abi.encodeCall(IERC20Transfer.transfer, (claimant, amount))
        );
        if (!ok || (data.length != 0 && !abi.decode(data, (bool)))) revert TransferFailed();
    }

    function _recover(bytes32 digest, bytes calldata signature) private pure returns (address) {
        if (signature.length != 65) revert BadSignature();
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (v != 27 && v != 28) revert BadSignature();
        if (uint256(s) > HALF_ORDER) revert BadSignature();
        address recovered = ecrecover(digest, v, r, s);
        if (recovered == address(0)) revert BadSignature();
        return recovered;
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this))
            );
    }
}
