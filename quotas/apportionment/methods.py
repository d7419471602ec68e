"""The five apportionment methods: names, Chinese labels, accepted aliases, the tie rule.

``hamilton`` (largest remainders, Hare quota)
    Standard quota ``q_i = w_i * S / W`` (``W`` = total weight, ``S`` = seats); every unit gets
    ``floor(q_i)``; the seats left over go to the largest fractional remainders.
Divisor (highest-averages) methods
    Find a common divisor ``d`` and give unit ``i`` the *rounded* quotient ``w_i / d``; ``d`` is
    chosen so that the rounded quotients add up to ``S``.  Equivalently, seats are handed out one by
    one to the unit with the highest *priority* ``w_i / D(n_i)`` where ``n_i`` is the number of
    seats the unit already holds:

    ===================  ===============================  ======================
    method               rounding of ``w/d``              ``D(n)``
    ===================  ===============================  ======================
    ``jefferson``        down (D'Hondt)                   ``n + 1``
    ``webster``          to nearest (Sainte-Laguë)        ``n + 1/2``
    ``adams``            up                               ``n``
    ``huntington_hill``  at the geometric mean            ``sqrt(n (n + 1))``
    ===================  ===============================  ======================

    Adams and Huntington–Hill have ``D(0) = 0``: every unit with positive weight gets a first seat
    before anyone gets a second one, so they need at least as many seats as such units.

Aliases accepted by :func:`normalize_method`: ``dhondt``/``d'hondt`` (Jefferson),
``sainte_lague``/``sainte-lague`` (Webster), ``huntington-hill``/``hill``/``equal_proportions``,
``largest_remainder(s)``/``hare`` (Hamilton).
"""
from .errors import ApportionmentError

HAMILTON = "hamilton"
JEFFERSON = "jefferson"
WEBSTER = "webster"
ADAMS = "adams"
HUNTINGTON_HILL = "huntington_hill"
METHODS = (HAMILTON, JEFFERSON, WEBSTER, ADAMS, HUNTINGTON_HILL)
DIVISOR_METHODS = (JEFFERSON, WEBSTER, ADAMS, HUNTINGTON_HILL)

METHOD_LABELS = {
    HAMILTON: "汉密尔顿法（最大余数法）",
    JEFFERSON: "杰斐逊法（D'Hondt 法）",
    WEBSTER: "韦伯斯特法（Sainte-Laguë 法）",
    ADAMS: "亚当斯法",
    HUNTINGTON_HILL: "亨廷顿–希尔法（等比例法）",
}

_ALIASES = {
    "hamilton": HAMILTON,
    "largest_remainder": HAMILTON,
    "largest_remainders": HAMILTON,
    "hare": HAMILTON,
    "hare_niemeyer": HAMILTON,
    "jefferson": JEFFERSON,
    "dhondt": JEFFERSON,
    "d_hondt": JEFFERSON,
    "webster": WEBSTER,
    "sainte_lague": WEBSTER,
    "saintelague": WEBSTER,
    "adams": ADAMS,
    "huntington_hill": HUNTINGTON_HILL,
    "huntingtonhill": HUNTINGTON_HILL,
    "hill": HUNTINGTON_HILL,
    "equal_proportions": HUNTINGTON_HILL,
}

TIE_RULE = "完全并列时，输入顺序靠前（序号较小）的单位优先获得席位"

def normalize_method(method: str) -> str:
    """Canonical method name for ``method`` or its aliases; raises ``unknown_method``."""
    if isinstance(method, str):
        key = method.strip().lower().replace("’", "").replace("'", "")
        key = key.replace("-", "_").replace(" ", "_").replace("ë", "e")
        if key in _ALIASES:
            return _ALIASES[key]
    raise ApportionmentError(
        "unknown_method",
        f"未知的分配方法：{method!r}；可选 {', '.join(METHODS)}（或别名 dhondt、sainte-lague、huntington-hill）",
        method=str(method),
    )
