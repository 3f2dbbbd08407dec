"""Lift per preference: closed-form influence through the refit head on a yardstick,
leave-group-out calibration, duplicate clusters valued once, author reliability, bootstrap
errors and empirical-Bayes payouts (`shrinkage`).

`value_round` ties them together for one training round (`reward_model.pipeline` runs the
whole round around it).
"""

from reward_model.valuation.influence import InfluenceLift
from reward_model.valuation.leave_group_out import LeaveGroupOut
from reward_model.valuation.result import ValuationResult
from reward_model.valuation.round import RoundValues, value_round

__all__ = ["InfluenceLift", "LeaveGroupOut", "RoundValues", "ValuationResult", "value_round"]
