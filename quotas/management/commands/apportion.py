"""``python manage.py apportion FILE.csv --seats N --method M [options]``: apportion seats from a CSV.

Stable contract (other tools depend on it):

* Input: a UTF-8 CSV (a BOM is allowed) with a header row.  The key column defaults to the first
  column and the weight column to the second; ``--key-column`` / ``--weight-column`` pick
  columns by header name.  Weights are non-negative numbers (integers or decimals); fully blank
  lines are skipped.
* ``--method``: hamilton, jefferson, dhondt, webster, sainte-lague, adams, huntington-hill
  (the engine's other aliases are accepted too).  ``--min`` / ``--max``: the same lower / upper
  bound for every unit.
* Output on stdout: CSV with header ``key,weight,seats`` and one row per input row, in input
  order; key and weight are printed exactly as they appear in the file.
* Bad input (missing file, missing column, non-numeric or negative weight, unknown method,
  infeasible bounds, bad arguments): nothing on stdout, a one-line message on stderr of the form
  ``CommandError: [code] message`` and exit status 2.
"""
import csv
import re
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from quotas.apportionment import ApportionmentError, apportion, normalize_method

EXIT_BAD_INPUT = 2
CLI_METHODS = ("hamilton", "jefferson", "dhondt", "webster", "sainte-lague", "adams", "huntington-hill")
_INTEGER = re.compile(r"[+-]?\d+")


def _bad_input(code: str, message: str) -> CommandError:
    return CommandError(f"[{code}] {message}", returncode=EXIT_BAD_INPUT)


class Command(BaseCommand):
    help = "按权重分配名额：读取 CSV（键列、权重列），输出 key,weight,seats。"
    requires_system_checks = []  # pure computation: no models, no database

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        default_error = parser.error

        def error(message):
            # argparse would print the usage plus a message (exit 2); keep to the one-line contract.
            if getattr(parser, "called_from_command_line", False):
                parser.exit(EXIT_BAD_INPUT, f"CommandError: [usage] 参数错误：{message}\n")
            default_error(message)

        parser.error = error
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 文件（UTF-8，可带 BOM，第一行为表头）")
        parser.add_argument("--seats", type=int, required=True, help="总名额（非负整数）")
        parser.add_argument("--method", required=True, help="分配方法：" + "、".join(CLI_METHODS))
        parser.add_argument("--key-column", help="键列的表头名（默认第一列）")
        parser.add_argument("--weight-column", help="权重列的表头名（默认第二列）")
        parser.add_argument("--min", type=int, dest="minimum", help="每个单位的最少名额")
        parser.add_argument("--max", type=int, dest="maximum", help="每个单位的最多名额")

    def handle(self, *args, **options):
        try:
            method = normalize_method(options["method"])
            keys, raw_weights, weights = read_weights(
                options["file"], options["key_column"], options["weight_column"]
            )
            result = apportion(
                weights, options["seats"], method, minimum=options["minimum"], maximum=options["maximum"]
            )
        except ApportionmentError as exc:
            raise _bad_input(exc.code, exc.message) from exc
        # Everything is computed before the first byte goes out: errors leave stdout empty.
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["key", "weight", "seats"])
        for key, raw, seats in zip(keys, raw_weights, result.seats.tolist()):
            writer.writerow([key, raw, seats])


def read_weights(path, key_column=None, weight_column=None):
    """Keys, weights as written and parsed weights (int or Decimal) from the CSV at ``path``."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return _parse(csv.reader(handle), key_column, weight_column)
    except FileNotFoundError:
        raise _bad_input("file_not_found", f"找不到文件：{path}") from None
    except UnicodeDecodeError:
        raise _bad_input("bad_encoding", f"文件不是 UTF-8 编码：{path}") from None
    except csv.Error as exc:
        raise _bad_input("bad_csv", f"CSV 格式错误：{exc}") from None
    except OSError as exc:
        raise _bad_input("file_unreadable", f"无法读取文件 {path}：{exc.strerror or exc}") from None


def _parse(reader, key_column, weight_column):
    header = next(reader, None)
    if header is None:
        raise _bad_input("empty_file", "CSV 文件为空（缺少表头行）")
    header = [name.strip() for name in header]
    key_index = _column_index(header, key_column, default=0, role="键")
    weight_index = _column_index(header, weight_column, default=1, role="权重")
    keys, raw_weights, weights = [], [], []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue  # blank line
        line = reader.line_num
        if len(row) <= max(key_index, weight_index):
            raise _bad_input("missing_value", f"第 {line} 行缺少{'权重' if len(row) <= weight_index else '键'}列的值")
        raw = row[weight_index]
        keys.append(row[key_index])
        raw_weights.append(raw)
        weights.append(_parse_weight(raw, line))
    return keys, raw_weights, weights


def _column_index(header, name, default, role):
    if name is None:
        if default < len(header):
            return default
        raise _bad_input("missing_column", f"缺少{role}列：表头只有 {len(header)} 列（{','.join(header)}）")
    if name in header:
        return header.index(name)
    raise _bad_input("missing_column", f"找不到{role}列“{name}”；表头为：{','.join(header)}")


def _parse_weight(raw: str, line: int):
    text = raw.strip()
    if _INTEGER.fullmatch(text):
        value = int(text)
    else:
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or "_" in text:
            raise _bad_input("invalid_weight", f"第 {line} 行的权重不是数字：{raw!r}")
    if value < 0:
        raise _bad_input("negative_weight", f"第 {line} 行的权重为负数：{raw}")
    return value
