"""The result of a valuation: one value per item (a pair, a cluster or a group), pyDVL-shaped.

`values[k]` is the lift of item `indices[k]`, called `names[k]`; lift is the change in mean
held-out loss when the item is removed, so a positive value means the item helped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class ValuationResult:
    """Values with the indices and names of the items they belong to."""

    values: np.ndarray
    indices: np.ndarray
    names: list = field(default_factory=list)
    method: str = ""

    def __len__(self) -> int:
        """Number of valued items."""
        return len(self.values)

    def as_dict(self) -> dict:
        """{name: value} for every item."""
        return {name: float(v) for name, v in zip(self.names, self.values, strict=True)}

    def ranked(self) -> list[tuple]:
        """(name, value) pairs from the highest value to the lowest."""
        order = np.argsort(-self.values, kind="stable")
        return [(self.names[k], float(self.values[k])) for k in order]
