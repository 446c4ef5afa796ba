"""``vigil trends``, ``vigil alerts`` and ``vigil export`` on a small store: exact outputs and one-line errors."""

from __future__ import annotations

import json
import struct
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.search.factories import make_document
from vigil.cli import main
from vigil.cli.plot import render_html
from vigil.search.alerts import alert_id
from vigil.search.sqlite import SqliteStore
from vigil.search.store import TrendPoint, TrendSeries

PLACES = [("SD", 5, "o0"), ("SD", 6, "o1"), ("SD", 7, "o2"), ("ML", 6, "o3"), ("SD", 13, "o4"), ("SD", 14, "o5"),
          ("SD", 14, "o6")]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VIGIL_STORE", "sqlite")
    store = SqliteStore(tmp_path / "vigil.sqlite3")
    docs = [make_document(f"Valley {i}", f"Original fixture text {i} about the valley.", slug=f"v{i}",
                          source=f"{src}.example", countries=(c,), indicators=("mass_killing",),
                          published=datetime(2026, 1, d, 9, tzinfo=UTC)) for i, (c, d, src) in enumerate(PLACES)]
    docs.append(make_document("Market day", "Original fixture text about a market.", slug="m", countries=("SD",),
                              published=datetime(2026, 1, 13, 9, tzinfo=UTC)))
    store.upsert(docs)
    store.close()
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- trends


def test_trends_by_country_per_week(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "trends", "valley", "--by", "country", "--interval", "week")
    assert code == 0
    assert out == "bucket      SD  ML\n2026-01-05   3   1\n2026-01-12   3   0\n"


def test_trends_normalised_csv_and_json(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "trends", "valley", "--interval", "week", "--normalise", "--csv")
    assert code == 0
    assert out == ("series,bucket,count,total,value\n"
                   "all,2026-01-05,4,4,1.0000\n"
                   "all,2026-01-12,3,4,0.7500\n")
    code, out, _ = run(capsys, data_dir, "trends", "valley", "--interval", "month", "--json")
    assert json.loads(out) == [{"key": "all", "points": [
        {"bucket": "2026-01-01", "count": 7, "total": 8, "value": 7.0}]}]


def test_trends_png_chart(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    chart = data_dir / "trend.png"
    code, _, err = run(capsys, data_dir, "trends", "valley", "--by", "country", "--plot", str(chart))
    assert code == 0 and err == f"chart written to {chart}\n"
    data = chart.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (800, 360)


def test_trends_html_chart_is_self_contained(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    chart = data_dir / "trend.html"
    code, _, _ = run(capsys, data_dir, "trends", "valley", "--by", "country", "--interval", "week",
                     "--plot", str(chart))
    assert code == 0
    page = chart.read_text(encoding="utf-8")
    assert '<polyline points="60.0,40.0 630.0,40.0" fill="none" stroke-width="2"/>' in page
    assert '<polyline points="60.0,226.7 630.0,320.0" fill="none" stroke-width="2"/>' in page
    assert "<title>ML 2026-01-05: 1</title>" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page


def test_html_chart_exact_for_one_point() -> None:
    series = [TrendSeries(key="a<b", points=(TrendPoint(bucket=date(2026, 1, 5), count=2, total=4, value=0.5),))]
    page = render_html(series, title="t & u", normalised=True)
    assert '<polyline points="345.0,40.0" fill="none" stroke-width="2"/>' in page
    assert "<title>a&lt;b 2026-01-05: 2 of 4</title>" in page
    assert "<title>t &amp; u</title>" in page
    assert render_html(series, title="t & u", normalised=True) == page


@pytest.mark.parametrize(("args", "message"), [
    (("--by", "colour"), "--by must be one of country, indicator, language, source, actor, group, not 'colour'"),
    (("--interval", "year"), "--interval must be day, week or month, not 'year'"),
    (("--json", "--csv"), "choose one of --json and --csv"),
    (("--plot", "chart.pdf"), "--plot must name a .png or .html file, not 'chart.pdf'"),
])
def test_trends_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                          args: tuple[str, ...], message: str) -> None:
    code, out, err = run(capsys, data_dir, "trends", "valley", *args)
    assert (code, out, err) == (2, "", f"vigil: error: {message}\n")


# --------------------------------------------------------------------------- alerts


def test_alerts_compute_and_list(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, data_dir, "alerts", "--compute", "2026-01-14")
    assert code == 0 and err == "computed 1 alert(s) for 2026-01-14\n"
    ident = alert_id("SD", "mass_killing", date(2026, 1, 14))
    assert out == (
        "2026-01-14  WATCH    SD  mass_killing  severity 5 · urgency high (rising) · score 8 vs baseline 0 (z 8)"
        f" · 2 reports, 2 outlets · open · {ident[:12]}\n"
        "    https://o5.example/news/v5 (o5.example)\n"
        "    https://o6.example/news/v6 (o6.example)\n")
    code, out, _ = run(capsys, data_dir, "alerts", "--country", "ml")
    assert (code, out) == (0, "no alerts\n")
    code, out, _ = run(capsys, data_dir, "alerts", "--since", "2026-01-14", "--json")
    [alert] = json.loads(out)
    assert (alert["id"], alert["level"], alert["baseline_days"], alert["z"]) == (ident, "watch", 9, 8.0)
    assert [e["source_domain"] for e in alert["evidence"]] == ["o5.example", "o6.example"]


def test_alerts_errors(capsys: pytest.CaptureFixture[str], data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(capsys, data_dir, "alerts", "--status", "done")[1:] == (
        "", "vigil: error: --status must be open, acknowledged, closed or all, not 'done'\n")
    (data_dir / "config").mkdir()
    (data_dir / "config" / "alerts.yaml").write_text("z_threshold: -1\n")
    monkeypatch.setenv("VIGIL_CONFIG_DIR", str(data_dir / "config"))
    code, _, err = run(capsys, data_dir, "alerts", "--compute", "2026-01-14")
    assert code == 1 and err.count("\n") == 1 and "alerts.yaml:1: z_threshold: Input should be greater than 0" in err


# --------------------------------------------------------------------------- export


def test_export_csv_to_stdout(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "export", "valley", "--format", "csv", "--sort", "oldest",
                       "--fields", "title,countries,published_at,source_domain", "--limit", "3")
    assert code == 0
    assert out == ("title,countries,published_at,source_domain\n"
                   "Valley 0,SD,2026-01-05T09:00:00+00:00,o0.example\n"
                   "Valley 1,SD,2026-01-06T09:00:00+00:00,o1.example\n"
                   "Valley 3,ML,2026-01-06T09:00:00+00:00,o3.example\n")


def test_export_jsonl_to_a_file_with_provenance(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    target = data_dir / "out.jsonl"
    code, out, err = run(capsys, data_dir, "export", "valley", "--country", "ml", "--output", str(target))
    assert (code, out, err) == (0, "", f"exported 1 rows to {target}\n")
    [row] = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert (row["url"], row["source_domain"], row["language"], row["date_source"], row["lexicon_version"]) == (
        "https://o3.example/news/v3", "o3.example", "en", "page", "test-1")
    assert row["evidence"][0]["pattern"] == "mass_killing"


def test_export_errors_are_one_line(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, _, err = run(capsys, data_dir, "export", "valley", "--fields", "id,colour")
    assert code == 1 and err.startswith("vigil: error: unknown export field(s) colour; choose from id, url")
    assert run(capsys, data_dir, "export", "valley", "--format", "xml")[2] == (
        "vigil: error: --format must be csv or jsonl, not 'xml'\n")
