"""The one error the engine raises: invalid or infeasible input, with a Chinese message.

Stable ``code`` values: ``unknown_method``, ``invalid_seats``, ``invalid_weight`` (not a finite
number), ``negative_weight``, ``invalid_bound``, ``min_exceeds_max``, ``infeasible_minimum``
(minimums add up to more than the seats), ``infeasible_maximum`` (maximums add up to fewer than
the seats), ``zero_weights`` (seats to give but no positive weight), ``too_few_seats`` (Adams /
Huntington–Hill with fewer seats than units owed a first seat).
"""


class ApportionmentError(ValueError):
    """Invalid or infeasible apportionment input; ``code`` is stable, ``message`` is Chinese."""

    def __init__(self, code: str, message: str, **data):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def __str__(self) -> str:
        return self.message
