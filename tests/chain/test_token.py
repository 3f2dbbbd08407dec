"""LiftToken, the reward token LiftClaims pays out, behaves as an ERC-20."""

from web3.logs import DISCARD

from server.rewards.balance_merkle import UINT256_MAX


def test_only_owner_mints(chain, reverts):
    with reverts("OwnableUnauthorizedAccount(address)", chain.alice):
        chain.send(chain.token.functions.mint(chain.alice, 1), chain.alice)
    supply = chain.token.functions.totalSupply().call()
    chain.send(chain.token.functions.mint(chain.alice, 5), chain.owner)
    assert chain.token.functions.totalSupply().call() == supply + 5
    assert chain.token.functions.balanceOf(chain.alice).call() == 5


def test_transfer_moves_balance_and_refuses_overdraft(chain, reverts):
    chain.send(chain.token.functions.mint(chain.alice, 10), chain.owner)
    receipt = chain.send(chain.token.functions.transfer(chain.bob, 4), chain.alice)
    (event,) = chain.token.events.Transfer().process_receipt(receipt, DISCARD)
    assert event["args"] == {"from": chain.alice, "to": chain.bob, "value": 4}
    assert chain.token.functions.balanceOf(chain.bob).call() == 4
    with reverts("ERC20InsufficientBalance(address,uint256,uint256)", chain.alice, 6, 7):
        chain.send(chain.token.functions.transfer(chain.bob, 7), chain.alice)


def test_transfer_from_spends_allowance_unless_unlimited(chain, reverts):
    token = chain.token.functions
    chain.send(token.mint(chain.alice, 10), chain.owner)
    chain.send(token.approve(chain.bob, 3), chain.alice)
    chain.send(token.transferFrom(chain.alice, chain.bob, 2), chain.bob)
    assert token.allowance(chain.alice, chain.bob).call() == 1
    with reverts("ERC20InsufficientAllowance(address,uint256,uint256)", chain.bob, 1, 2):
        chain.send(token.transferFrom(chain.alice, chain.bob, 2), chain.bob)
    chain.send(token.approve(chain.bob, UINT256_MAX), chain.alice)
    chain.send(token.transferFrom(chain.alice, chain.bob, 8), chain.bob)
    assert token.allowance(chain.alice, chain.bob).call() == UINT256_MAX
    assert token.balanceOf(chain.bob).call() == 10
