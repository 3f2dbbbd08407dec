// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @title LiftClaims
/// @notice Pays Liftledger rewards in an ERC-20 token against either an EIP-712 voucher
///         signed by the service's signer or a Merkle proof against a published round root.
/// @dev Built on OpenZeppelin Contracts: EIP712 (domain and typed-data digest), ECDSA
///      (recovery, low-s only), MerkleProof (StandardMerkleTree leaves and sorted pairs),
///      Ownable2Step (administration handed over in two steps), Pausable (an emergency stop
///      for both claim paths) and SafeERC20. Amounts are cumulative: a claim pays
///      `cumulativeAmount - claimed[claimant]`, so any newer voucher or root supersedes older
///      ones and nothing is paid twice. No single claim pays more than `maxClaim`, and a new
///      signer takes over only `SIGNER_DELAY` after the owner proposed it, so a stolen owner
///      key cannot swap in its own signer unnoticed.
contract LiftClaims is EIP712, Ownable2Step, Pausable {
    using SafeERC20 for IERC20;

    // The EIP-712 type string must be exactly the standard text (hashed at compile time).
    // solhint-disable gas-small-strings
    /// @notice EIP-712 type hash of the Voucher struct.
    bytes32 public constant VOUCHER_TYPEHASH = keccak256(
        "Voucher(address claimant,uint256 cumulativeAmount,uint256 round,uint256 nonce,uint256 deadline)"
    );
    // solhint-enable gas-small-strings
    /// @notice How long a proposed signer waits before it can take over.
    uint256 public constant SIGNER_DELAY = 2 days;

    /// @notice The ERC-20 token rewards are paid in.
    IERC20 public immutable token;
    /// @notice The key whose vouchers the contract honours.
    address public signer;
    /// @notice The signer proposed to take over, or zero.
    address public pendingSigner;
    /// @notice When `pendingSigner` may take over (unix seconds), or zero.
    uint256 public pendingSignerAt;
    /// @notice The most one claim may pay, in base units.
    uint256 public maxClaim;
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
    /// @notice The owner proposed `newSigner`, who may take over from `activatesAt`.
    event SignerProposed(address indexed newSigner, uint256 activatesAt);
    /// @notice The per-claim cap changed from `previousCap` to `newCap`.
    event MaxClaimChanged(uint256 previousCap, uint256 newCap);
    // solhint-enable gas-indexed-events
    /// @notice `claimant` redeemed the voucher with `nonce`.
    event VoucherRedeemed(address indexed claimant, uint256 indexed nonce);
    /// @notice The owner published `root` for `round`.
    event RootPublished(uint256 indexed round, bytes32 root);
    /// @notice The voucher signer changed from `previousSigner` to `newSigner`.
    event SignerChanged(address indexed previousSigner, address indexed newSigner);

    error ZeroAddress();
    error NotClaimant();
    error AlreadyClaimed();
    error NonceUsed();
    error Expired();
    error BadSignature();
    error UnknownRoot();
    error InvalidProof();
    error RootAlreadyPublished();
    error ClaimAboveCap(uint256 amount, uint256 cap);
    error NoPendingSigner();
    error SignerNotReady(uint256 activatesAt);

    constructor(
        address token_,
        address signer_,
        uint256 maxClaim_
    ) EIP712("LiftClaims", "1") Ownable(msg.sender) {
        if (token_ == address(0) || signer_ == address(0)) revert ZeroAddress();
        token = IERC20(token_);
        signer = signer_;
        maxClaim = maxClaim_;
        emit SignerChanged(address(0), signer_);
        emit MaxClaimChanged(0, maxClaim_);
    }

    /// @notice Propose `newSigner`; it takes over with `activateSigner` after `SIGNER_DELAY`.
    ///         Proposing again restarts the wait; proposing zero cancels.
    function proposeSigner(address newSigner) external onlyOwner {
        pendingSigner = newSigner;
        pendingSignerAt = newSigner == address(0) ? 0 : block.timestamp + SIGNER_DELAY;
        emit SignerProposed(newSigner, pendingSignerAt);
    }

    /// @notice Make the proposed signer the signer, once its delay has passed.
    function activateSigner() external onlyOwner {
        address next = pendingSigner;
        if (next == address(0)) revert NoPendingSigner();
        if (block.timestamp < pendingSignerAt) revert SignerNotReady(pendingSignerAt);
        emit SignerChanged(signer, next);
        signer = next;
        pendingSigner = address(0);
        pendingSignerAt = 0;
    }

    /// @notice Set the most one claim may pay.
    function setMaxClaim(uint256 newCap) external onlyOwner {
        emit MaxClaimChanged(maxClaim, newCap);
        maxClaim = newCap;
    }

    /// @notice Stop both claim paths (for instance while a leaked signer is being replaced).
    function pause() external onlyOwner {
        _pause();
    }

    /// @notice Let claims through again.
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @notice Publish the Merkle root of cumulative balances for `round`; roots are final.
    function publishRoot(uint256 round, bytes32 root) external onlyOwner {
        if (root == bytes32(0)) revert UnknownRoot();
        if (roots[round] != bytes32(0)) revert RootAlreadyPublished();
        roots[round] = root;
        emit RootPublished(round, root);
    }

    /// @notice EIP-712 domain separator (recomputed if the chain forks to a new id).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice EIP-712 digest a voucher's signature must cover.
    function voucherDigest(
        address claimant,
        uint256 cumulativeAmount,
        uint256 round,
        uint256 nonce,
        uint256 deadline
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(VOUCHER_TYPEHASH, claimant, cumulativeAmount, round, nonce, deadline)
                )
            );
    }

    /// @notice Claim with a voucher signed by `signer`; only the claimant may submit it.
    function claimWithVoucher(
        address claimant,
        uint256 cumulativeAmount,
        uint256 round,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external whenNotPaused returns (uint256 paid) {
        if (msg.sender != claimant) revert NotClaimant();
        if (block.timestamp > deadline) revert Expired();
        bytes32 digest = voucherDigest(claimant, cumulativeAmount, round, nonce, deadline);
        (address recovered, ECDSA.RecoverError failure, ) = ECDSA.tryRecoverCalldata(
            digest,
            signature
        );
        if (failure != ECDSA.RecoverError.NoError || recovered != signer) revert BadSignature();
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
    ) external whenNotPaused returns (uint256 paid) {
        if (msg.sender != account) revert NotClaimant();
        bytes32 root = roots[round];
        if (root == bytes32(0)) revert UnknownRoot();
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof();
        paid = _owed(account, cumulativeAmount);
        _pay(account, round, paid, cumulativeAmount);
    }

    /// @notice OpenZeppelin's Merkle verification (sorted pair hashing), exposed for clients.
    function verifyProof(
        bytes32[] calldata proof,
        bytes32 root,
        bytes32 leaf
    ) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    function _owed(address claimant, uint256 cumulativeAmount) private view returns (uint256) {
        uint256 already = claimed[claimant];
        // `<=` states the rule exactly: nothing is owed unless the total grew.
        // solhint-disable-next-line gas-strict-inequalities
        if (cumulativeAmount <= already) revert AlreadyClaimed();
        uint256 owed = cumulativeAmount - already;
        if (owed > maxClaim) revert ClaimAboveCap(owed, maxClaim);
        return owed;
    }

    // Effects before the interaction: `claimed` is raised before tokens move.
    function _pay(address claimant, uint256 round, uint256 amount, uint256 cumulative) private {
        claimed[claimant] = cumulative;
        emit Claimed(claimant, round, amount, cumulative);
        token.safeTransfer(claimant, amount);
    }
}
