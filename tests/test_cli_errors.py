"""CLI errors are one line on stderr with a non-zero exit; a traceback only with --debug."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vigil.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_unknown_option_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", "x", "--colour", "red")
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "No such option: --colour" in err
    assert "vigil search --help" in err
    assert out == ""


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "serch", "x")
    assert code == 2
    assert err.startswith("vigil: error: No such command 'serch'")


def test_bad_date_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "search", "x", "--since", "last week")
    assert code == 2
    assert err.strip() == "vigil: error: --since must be a date like 2026-01-31, not 'last week'"


def test_missing_feeds_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "ingest", "--feeds", str(tmp_path / "none.yaml"))
    assert code == 1
    assert err.strip() == f"vigil: error: {tmp_path / 'none.yaml'}: file not found"


def test_config_typo_names_file_and_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - url: https://a.example/rss\n    name: A\n    langage: en\n", encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "ingest", "--feeds", str(feeds))
    assert code == 1
    assert f"{feeds}:4: feeds[0].langage: unknown field 'langage'; did you mean 'language'?" in err
    assert "Traceback" not in err


def test_debug_shows_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "vigil", "--debug", "--data-dir", str(tmp_path), "ingest", "--feeds",
         str(tmp_path / "none.yaml")], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr
    assert proc.stderr.rstrip().endswith("file not found")
