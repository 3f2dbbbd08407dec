"""Lift per preference: closed-form influence through the refit head on a yardstick,
leave-group-out calibration, duplicate clusters valued once, author reliability, bootstrap
errors and empirical-Bayes payouts (`shrinkage`).

`round.value_round` ties them together for one training round (`reward_model.pipeline` runs the
whole round around it).
"""
