"""``manage.py apportion``: the CSV-in / CSV-out contract other tools rely on (no database)."""
import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

PROJECT_ROOT = Path(__file__).resolve().parents[2]

STATES_1790 = """\
state,population
Connecticut,236841
Delaware,55540
Georgia,70835
Kentucky,68705
Maryland,278514
Massachusetts,475327
New Hampshire,141822
New Jersey,179570
New York,331589
North Carolina,353523
Pennsylvania,432879
Rhode Island,68446
South Carolina,206236
Vermont,85533
Virginia,630560
"""
# Apportionment Act of 1792 (Jefferson's method, 105 seats); see test_apportionment_published.py.
JEFFERSON_105 = [7, 1, 2, 2, 8, 14, 4, 5, 10, 10, 13, 2, 6, 2, 19]


def run(*args, cwd=PROJECT_ROOT):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "manage.py", "apportion", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )


def write(tmp_path, text, name="input.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def expected_output(csv_text, seats):
    lines = csv_text.strip().splitlines()[1:]
    return "key,weight,seats\n" + "".join(f"{line},{s}\n" for line, s in zip(lines, seats))


def test_happy_path_prints_exact_csv(tmp_path):
    path = write(tmp_path, STATES_1790)
    result = run(path, "--seats", 105, "--method", "jefferson")
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected_output(STATES_1790, JEFFERSON_105)
    assert result.stderr == ""


def test_bom_quotes_blank_lines_and_weights_as_written(tmp_path):
    text = '\ufeffname,votes\n"Party A, list 1",100000\n\nB,80000.0\nC, 30000 \nD,2e4\n'
    path = write(tmp_path, text)
    result = run(path, "--seats", 8, "--method", "dhondt")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "key,weight,seats\n"
        '"Party A, list 1",100000,4\n'
        "B,80000.0,3\n"
        "C, 30000 ,1\n"
        "D,2e4,0\n"
    )


@pytest.mark.parametrize("method,expected", [
    ("hamilton", [3, 3, 1, 1]),
    ("jefferson", [4, 3, 1, 0]),
    ("dhondt", [4, 3, 1, 0]),
    ("webster", [3, 3, 1, 1]),
    ("sainte-lague", [3, 3, 1, 1]),
    ("adams", [3, 3, 1, 1]),
    ("huntington-hill", [3, 3, 1, 1]),
])
def test_every_method_name_of_the_contract(tmp_path, method, expected):
    path = write(tmp_path, "party,votes\nA,100000\nB,80000\nC,30000\nD,20000\n")
    out = io.StringIO()
    call_command("apportion", str(path), "--seats", "8", "--method", method, stdout=out)
    assert out.getvalue() == "key,weight,seats\n" + "".join(
        f"{k},{v},{s}\n" for (k, v), s in zip([("A", 100000), ("B", 80000), ("C", 30000), ("D", 20000)], expected)
    )


def test_alias_through_the_command_line(tmp_path):
    path = write(tmp_path, "party,votes\nA,100000\nB,80000\nC,30000\nD,20000\n")
    result = run(path, "--seats", 8, "--method", "sainte-lague")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "key,weight,seats\nA,100000,3\nB,80000,3\nC,30000,1\nD,20000,1\n"


def test_key_and_weight_columns_by_name(tmp_path):
    text = "id,comment,members,name\n1,x,700,north\n2,y,200,south\n3,z,100,east\n"
    path = write(tmp_path, text)
    result = run(path, "--seats", 10, "--method", "webster", "--key-column", "name", "--weight-column", "members")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "key,weight,seats\nnorth,700,7\nsouth,200,2\neast,100,1\n"


def test_min_and_max_apply_to_every_unit(tmp_path):
    path = write(tmp_path, "unit,weight\nbig,700\nmid,200\nsmall,100\ntiny,10\n")
    result = run(path, "--seats", 10, "--method", "webster", "--min", 1, "--max", 5)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "key,weight,seats\nbig,700,5\nmid,200,3\nsmall,100,1\ntiny,10,1\n"
    result = run(path, "--seats", 10, "--method", "hamilton", "--max", 6)
    assert result.stdout == "key,weight,seats\nbig,700,6\nmid,200,3\nsmall,100,1\ntiny,10,0\n"


def test_zero_seats_and_header_only(tmp_path):
    path = write(tmp_path, "unit,weight\n")
    result = run(path, "--seats", 0, "--method", "hamilton")
    assert result.returncode == 0 and result.stdout == "key,weight,seats\n"


def test_call_command_raises_command_error_with_exit_status_2(tmp_path):
    path = write(tmp_path, "unit,weight\na,-1\n")
    with pytest.raises(CommandError) as info:
        call_command("apportion", str(path), "--seats", "1", "--method", "webster", stdout=io.StringIO())
    assert info.value.returncode == 2 and "[negative_weight]" in str(info.value)


BAD_INPUTS = {
    # name: (csv text or None for "no file", extra arguments, expected code)
    "missing file": (None, ["--seats", 3, "--method", "webster"], "file_not_found"),
    "empty file": ("", ["--seats", 3, "--method", "webster"], "empty_file"),
    "undecodable file": (b"unit,weight\n\xff\xfe,3\n", ["--seats", 3, "--method", "webster"], "bad_encoding"),
    "missing key column": ("unit,weight\na,3\n", ["--seats", 3, "--method", "webster", "--key-column", "nope"],
                           "missing_column"),
    "missing weight column": ("unit,weight\na,3\n",
                              ["--seats", 3, "--method", "webster", "--weight-column", "nope"], "missing_column"),
    "single column": ("unit\na\n", ["--seats", 3, "--method", "webster"], "missing_column"),
    "short row": ("unit,weight\na,3\nb\n", ["--seats", 3, "--method", "webster"], "missing_value"),
    "non-numeric weight": ("unit,weight\na,3\nb,lots\n", ["--seats", 3, "--method", "webster"], "invalid_weight"),
    "empty weight": ("unit,weight\na,3\nb,\n", ["--seats", 3, "--method", "webster"], "invalid_weight"),
    "nan weight": ("unit,weight\na,3\nb,NaN\n", ["--seats", 3, "--method", "webster"], "invalid_weight"),
    "negative weight": ("unit,weight\na,3\nb,-2\n", ["--seats", 3, "--method", "webster"], "negative_weight"),
    "unknown method": ("unit,weight\na,3\n", ["--seats", 3, "--method", "borda"], "unknown_method"),
    "negative seats": ("unit,weight\na,3\n", ["--seats", -1, "--method", "webster"], "invalid_seats"),
    "non-integer seats": ("unit,weight\na,3\n", ["--seats", "2.5", "--method", "webster"], "usage"),
    "missing --seats": ("unit,weight\na,3\n", ["--method", "webster"], "usage"),
    "minimum too high": ("unit,weight\na,3\nb,4\n", ["--seats", 3, "--method", "webster", "--min", 2],
                         "infeasible_minimum"),
    "maximum too low": ("unit,weight\na,3\nb,4\n", ["--seats", 5, "--method", "webster", "--max", 2],
                        "infeasible_maximum"),
    "min above max": ("unit,weight\na,3\nb,4\n", ["--seats", 5, "--method", "webster", "--min", 3, "--max", 2],
                      "min_exceeds_max"),
    "all weights zero": ("unit,weight\na,0\nb,0\n", ["--seats", 2, "--method", "hamilton"], "zero_weights"),
    "adams with too few seats": ("unit,weight\na,3\nb,4\nc,5\n", ["--seats", 2, "--method", "adams"],
                                 "too_few_seats"),
}


@pytest.fixture(scope="module")
def bad_input_runs(tmp_path_factory):
    """Run every bad-input case once, four processes at a time (each boots Django: ~1 s)."""
    def one(case):
        content, args, _ = BAD_INPUTS[case]
        path = tmp_path_factory.mktemp("bad") / "input.csv"
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            path.write_text(content, encoding="utf-8")
        return run(path, *args)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(BAD_INPUTS, pool.map(one, BAD_INPUTS)))


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line_on_stderr(bad_input_runs, case):
    code = BAD_INPUTS[case][2]
    result = bad_input_runs[case]
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"[{code}]" in lines[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0])  # a Chinese message
