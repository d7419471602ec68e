"""A planner-readable Chinese account of an apportionment: quota or divisor, the seats that
decided the cut, ties, binding bounds and one row per unit."""
from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from .methods import HAMILTON

if TYPE_CHECKING:
    from .result import Apportionment, Cutoff


def _fmt(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, Fraction) and x.denominator == 1:
        return f"{x.numerator:,}"
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6g}" if abs(x) >= 1e6 else f"{x:,.4f}".rstrip("0").rstrip(".")


def _names(cut: Cutoff | None, labels, limit: int = 10) -> str:
    if cut is None:
        return "—"
    parts = [f"{_label(labels, int(u))}（第 {int(s)} 席）" for u, s in zip(cut.units[:limit], cut.seat_numbers[:limit])]
    more = f" 等 {len(cut.units)} 个单位" if len(cut.units) > limit else ""
    return "、".join(parts) + more


def _label(labels, i: int) -> str:
    return str(labels[i]) if labels is not None else f"#{i + 1}"


def explanation_text(r: Apportionment, labels, max_rows: int) -> str:
    lines = [
        f"方法：{r.method_label}；总席位 {r.total_seats}；单位数 {len(r.seats)}；总权重 {_fmt(r.total_weight)}",
        f"标准除数（总权重 ÷ 总席位，即黑尔份额）：{_fmt(r.standard_divisor)}",
    ]
    if r.method == HAMILTON:
        if r.divisor is not None and r.divisor != r.standard_divisor:
            lines.append(f"受上下限约束后，自由单位的有效份额：{_fmt(r.divisor)}")
        lines.append("每个单位先得标准份额的整数部分，剩余席位按小数部分（余数）从大到小分配。")
        if r.last_awarded is None:
            lines.append("整数部分已分完全部席位，没有按余数分配的席位。")
        else:
            lines.append(f"获得余数席位的最小余数：{_fmt(r.last_awarded.value)}，单位：{_names(r.last_awarded, labels)}")
            if r.first_refused is not None:
                lines.append(f"未获余数席位的最大余数：{_fmt(r.first_refused.value)}，"
                             f"单位：{_names(r.first_refused, labels)}")
    else:
        lines.append(f"采用除数：{_fmt(r.divisor)}（各单位权重 ÷ 除数后按本方法取整）")
        if r.divisor_range is not None and r.tie is None:
            lo, hi = r.divisor_range
            lines.append(f"除数在 ({_fmt(lo)}, {_fmt(hi)}) 之间均得到相同结果。")
        lines.append(f"最后获得的席位（优先值最低）：{_fmt(r.last_awarded.value if r.last_awarded else None)}，"
                     f"单位：{_names(r.last_awarded, labels)}")
        lines.append(f"未获得的最高优先值：{_fmt(r.first_refused.value if r.first_refused else None)}，"
                     f"单位：{_names(r.first_refused, labels)}")
    if r.tie is not None:
        tied = "、".join(_label(labels, int(i)) for i in r.tie.units[:20])
        more = f" 等 {len(r.tie.units)} 个" if len(r.tie.units) > 20 else ""
        lines.append(
            f"注意：最后 {r.tie.seats} 席在完全相同的数值 {_fmt(r.tie.value)} 上并列（{tied}{more}），"
            f"按规则处理：{r.tie.rule}。"
        )
    if r.lower_binding.any():
        lines.append("下限约束生效：" + "、".join(_label(labels, i) for i in r.binding_lower_units[:50]))
    if r.upper_binding.any():
        lines.append("上限约束生效：" + "、".join(_label(labels, i) for i in r.binding_upper_units[:50]))
    bounded = r.bounded_quotas is not None and bool(r.lower_binding.any() or r.upper_binding.any())
    header = ["单位", "权重", "标准份额", "下份额", "上份额"]
    if r.is_divisor_method:
        header.append("商（权重÷除数）")
    if bounded:
        header.append("约束后份额")
    header.append("席位")
    lines.append("\t".join(header))
    for row in r.rows(labels, limit=max_rows):
        cells = [row["label"], _fmt(row["weight"]), _fmt(row["standard_quota"]), str(row["lower_quota"]),
                 str(row["upper_quota"])]
        if r.is_divisor_method:
            cells.append(_fmt(row.get("quotient")))
        if bounded:
            cells.append(_fmt(row["bounded_quota"]))
        cells.append(str(row["seats"]))
        lines.append("\t".join(cells))
    if len(r.seats) > max_rows:
        lines.append(f"……（其余 {len(r.seats) - max_rows} 个单位未列出）")
    return "\n".join(lines)
