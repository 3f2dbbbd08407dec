// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title LiftToken
/// @notice Minimal ERC-20 reward token; only the owner can mint.
/// @dev Written without OpenZeppelin so the repository needs no Solidity dependencies.
contract LiftToken {
    /// @notice The token's name.
    string public name;
    /// @notice The token's ticker symbol.
    string public symbol;
    // ERC-20 names this getter `decimals()`, so the constant is not SNAKE_CASE.
    // solhint-disable const-name-snakecase
    /// @notice Decimal places of one token: balances are in units of 10**-18 tokens.
    uint8 public constant decimals = 18;
    // solhint-enable const-name-snakecase
    /// @notice All tokens minted so far.
    uint256 public totalSupply;
    /// @notice The account allowed to mint.
    address public owner;

    /// @notice Each account's balance in base units.
    mapping(address => uint256) public balanceOf;
    /// @notice What a spender may still move for an owner (`allowance[owner][spender]`).
    mapping(address => mapping(address => uint256)) public allowance;

    // ERC-20 fixes these two events' layout: `value` is data, not an indexed topic.
    // solhint-disable gas-indexed-events
    /// @notice `value` tokens moved from `from` to `to` (`from` is zero on a mint).
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice `owner` allowed `spender` to move `value` of its tokens.
    event Approval(address indexed owner, address indexed spender, uint256 value);
    // solhint-enable gas-indexed-events
    /// @notice The minting right moved from `previousOwner` to `newOwner`.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner();
    error ZeroAddress();
    error InsufficientBalance(uint256 balance, uint256 needed);
    error InsufficientAllowance(uint256 allowance, uint256 needed);

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @notice Create `amount` new tokens for `to`.
    function mint(address to, uint256 amount) external onlyOwner {
        if (to == address(0)) revert ZeroAddress();
        totalSupply += amount;
        unchecked {
            // Cannot overflow: no balance exceeds totalSupply.
            balanceOf[to] += amount;
        }
        emit Transfer(address(0), to, amount);
    }

    /// @notice Hand the minting right to `newOwner`.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// @notice Move `value` of the caller's tokens to `to`.
    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @notice Allow `spender` to move up to `value` of the caller's tokens.
    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) revert ZeroAddress();
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @notice Move `value` of `from`'s tokens to `to` against the caller's allowance.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert InsufficientAllowance(allowed, value);
            unchecked {
                allowance[from][msg.sender] = allowed - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    function _transfer(address from, address to, uint256 value) private {
        if (to == address(0)) revert ZeroAddress();
        uint256 balance = balanceOf[from];
        if (balance < value) revert InsufficientBalance(balance, value);
        unchecked {
            balanceOf[from] = balance - value;
            balanceOf[to] += value;
        }
        emit Transfer(from, to, value);
    }
}
