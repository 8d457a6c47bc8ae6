"""Random draws of the demo generator: weighted picks, proportional splits, distinct samples, valid SIRETs.

Every draw takes the generator's one `random.Random`, so the same seed walks the same sequence.
"""

import bisect
import random
from collections.abc import Sequence

import numpy as np
from stdnum import luhn


class Picker:
    """Weighted draws by bisection over cumulative weights (faster than `random.choices` for one draw)."""

    __slots__ = ("items", "cumulative", "total")

    def __init__(self, items: Sequence, weights: Sequence[float] | np.ndarray) -> None:
        self.items = list(items)
        self.cumulative = list(np.cumsum(np.asarray(weights, dtype=np.float64)).tolist()) if len(weights) else []
        self.total = self.cumulative[-1] if self.cumulative else 0.0

    @classmethod
    def of(cls, mix: dict) -> "Picker":
        return cls(list(mix), list(mix.values()))

    def __bool__(self) -> bool:
        return self.total > 0

    def pick(self, rng: random.Random):
        index = bisect.bisect_right(self.cumulative, rng.random() * self.total)
        return self.items[min(index, len(self.items) - 1)]


def allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder), each at least `minimum`."""
    count = len(weights)
    if count == 0:
        return []
    base = [minimum] * count
    rest = total - minimum * count
    if rest <= 0:
        return base
    weight_sum = float(sum(weights)) or 1.0
    shares = [rest * w / weight_sum for w in weights]
    result = [b + int(s) for b, s in zip(base, shares, strict=True)]
    order = sorted(range(count), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in order[: total - sum(result)]:
        result[i] += 1
    return result


def sample_distinct(rng: random.Random, picker: Picker, count: int, tries: int = 60) -> list:
    """`count` draws without repetition when possible (small pools repeat rather than loop forever)."""
    chosen: list = []
    for _ in range(tries):
        if len(chosen) == count:
            break
        item = picker.pick(rng)
        if item not in chosen:
            chosen.append(item)
    while len(chosen) < count:
        chosen.append(picker.pick(rng))
    return chosen


def new_siret(rng: random.Random, used: set[str]) -> str:
    """A 14-digit SIRET whose SIREN and SIRET Luhn keys are right (checked by `stdnum.fr.siret`)."""
    while True:
        siren_body = str(rng.randrange(10_000_000, 100_000_000))
        siren = siren_body + luhn.calc_check_digit(siren_body)
        if siren == "356000000":  # La Poste numbers follow another rule
            continue
        body = siren + f"{rng.randrange(1, 10_000):04d}"
        siret = body + luhn.calc_check_digit(body)
        if siret not in used:
            used.add(siret)
            return siret


# --- the generator's working objects -------------------------------------------------------------------
