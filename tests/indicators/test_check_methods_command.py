"""The check_methods command: prints failures and a summary line, exits 1 on any failure."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

VECTORS = settings.BASE_DIR / "fixtures" / "methods" / "vectors_public.json"


def _vectors() -> dict:
    return json.loads(VECTORS.read_text(encoding="utf-8"))


def _case_count(vectors: dict) -> int:
    return sum(len(cases) for section, cases in vectors.items() if section != "meta")


def _write(tmp_path: Path, vectors: dict) -> Path:
    path = tmp_path / "vectors.json"
    path.write_text(json.dumps(vectors), encoding="utf-8")
    return path


def test_public_vectors_all_pass_and_the_summary_is_the_last_line():
    out = StringIO()
    call_command("check_methods", str(VECTORS), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1] == f"{_case_count(_vectors())} passed, 0 failed"
    assert "Skipped sections (not known to this checker): none" in lines
    assert not any(line.startswith("FAIL") for line in lines)


def test_a_changed_expected_value_fails_names_the_case_and_exits_with_status_1(tmp_path):
    vectors = _vectors()
    corrupted = copy.deepcopy(vectors)
    case = corrupted["rate_ci"][0]
    case["expected"]["95.0"]["lower"] = 0.03
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("check_methods", str(_write(tmp_path, corrupted)), stdout=out)
    assert raised.value.returncode == 1
    output = out.getvalue()
    assert f"FAIL {case['id']} [rate_ci]" in output
    assert "95.0.lower: expected 0.03, got 0.0253178079842" in output
    assert output.splitlines()[-1] == f"{_case_count(vectors) - 1} passed, 1 failed"


def test_unknown_sections_are_reported_as_skipped_not_failed(tmp_path):
    vectors = _vectors()
    vectors["life_expectancy"] = [{"id": "le_1", "expected": {"value": 80.1}}]
    out = StringIO()
    call_command("check_methods", str(_write(tmp_path, vectors)), stdout=out)
    lines = out.getvalue().splitlines()
    assert "Skipped sections (not known to this checker): life_expectancy" in lines
    assert lines[-1] == f"{_case_count(vectors) - 1} passed, 0 failed"


def test_an_unreadable_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read test vectors"):
        call_command("check_methods", str(tmp_path / "missing.json"), stdout=StringIO())


def _subprocess_environment() -> dict[str, str]:
    environment = dict(os.environ)
    # Settings refuse to start without a secret key unless DEBUG is on.
    if not environment.get("SECRET_KEY"):
        environment["DEBUG"] = "1"
    return environment


def test_manage_py_exits_with_status_1_when_a_check_fails(tmp_path):
    corrupted = _vectors()
    corrupted["benchmark"][0]["expected"] = "Worse"
    completed = subprocess.run(
        [sys.executable, "manage.py", "check_methods", str(_write(tmp_path, corrupted))],
        cwd=settings.BASE_DIR,
        env=_subprocess_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 1
    assert completed.stdout.splitlines()[-1].endswith("passed, 1 failed")
