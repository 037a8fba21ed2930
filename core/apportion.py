"""Splitting a whole number in proportion to weights, exactly (largest-remainder method)."""


def apportion(total: int, weights: list[float], *, minimum: int = 0) -> list[int]:
    """Split total into integers proportional to weights, each at least `minimum`, summing exactly to total.

    Ties in the remainders go to the earlier part, so the result is deterministic.
    """
    if total < minimum * len(weights):
        raise ValueError("total is too small to give every part its minimum")
    if not weights:
        return []
    spare = total - minimum * len(weights)
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raw = [spare / len(weights)] * len(weights)
    else:
        raw = [spare * w / weight_sum for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (raw[i] - parts[i], -i), reverse=True)
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]
