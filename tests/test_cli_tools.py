"""The researcher and operator commands: tag, extract, feeds status, failures, retry, reextract."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from vigil.cli import main
from vigil.demo_site import DemoSite

PAGE = """<!doctype html><html lang="en"><head><title>Wells run dry in the valley - Valley Post</title>
<meta property="og:site_name" content="Valley Post">
<meta property="article:published_time" content="2026-10-02T08:00:00+00:00">
<meta name="author" content="Ama Mensah"></head>
<body><nav>Home | World | Sport</nav><article><h1>Wells run dry in the valley</h1>
<p>Families in the lower valley walked for hours to find water after three of the five village wells ran dry
during the longest dry season in a decade, the district water office said on Thursday.</p>
<p>Engineers plan to deepen two of the wells before the end of the month, and a lorry will bring water to the
school until then. Farmers said the maize harvest would be smaller than last year's.</p>
<p>The office asked residents to report any broken pumps so that repair teams can reach them quickly.</p>
</article><footer>Copyright Valley Post. All rights reserved.</footer></body></html>"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_tag_keeps_input_order_and_reports_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "a", "text": "Gunmen killed 30 civilians in a village near Kidal in Mali.",
                    "language": "en"}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "b", "text": "The central bank of Kenya kept its rate unchanged."}) + "\n",
        encoding="utf-8")
    code, out, err = run(capsys, "tag", str(source), "--no-models")
    assert code == 0, err
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x.get("id", x.get("line")) for x in lines] == ["a", 2, "b"]
    assert "error" in lines[1]
    assert {c["code"] for c in lines[0]["countries"]} == {"ML"}
    assert "mass_killing" in {e["category"] for e in lines[0]["events"]}
    assert lines[2]["language"] == "en" and lines[2]["events"] == []


def test_extract_saved_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "wells.html"
    plain.write_text(PAGE, encoding="utf-8")
    zipped = tmp_path / "wells.html.gz"
    zipped.write_bytes(gzip.compress(PAGE.encode()))
    code, out, err = run(capsys, "extract", str(plain), str(zipped), "--json")
    assert code == 0, err
    first, second = (json.loads(x) for x in out.splitlines())
    assert first["title"] == "Wells run dry in the valley"
    assert first["language"] == "en"
    assert first["published_at"].startswith("2026-10-02")
    assert first["date_source"] == "page"
    assert "Copyright" not in first["text"] and "three of the five village wells" in first["text"]
    assert {k: v for k, v in second.items() if k != "path"} == {k: v for k, v in first.items() if k != "path"}


def test_extract_jsonl_protocol(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "p.html"
    page.write_text(PAGE, encoding="utf-8")
    lines = [json.dumps({"id": "ok", "path": str(page), "url": "https://valley.example/wells"}),
             json.dumps({"id": "gone", "path": str(tmp_path / "missing.html"), "url": None})]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    code, out, _ = run(capsys, "extract", "--jsonl")
    assert code == 0
    ok, gone = (json.loads(x) for x in out.splitlines())
    assert set(ok) >= {"id", "title", "text", "authors", "published_at", "date_source", "language", "method"}
    assert ok["id"] == "ok" and ok["authors"] == ["Ama Mensah"]
    assert set(gone) == {"id", "error"} and gone["id"] == "gone"


def test_extract_unreadable_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "extract", str(tmp_path / "nope.html"))
    assert code == 1
    assert err.strip() == f"vigil: error: {tmp_path / 'nope.html'}: No such file or directory"


@pytest.mark.slow
def test_failures_retry_status_and_reextract(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("VIGIL_PER_HOST_DELAY", "0")
    data = ["--data-dir", str(tmp_path / "data")]
    with DemoSite(broken={"/feeds/fr.xml"}) as site:
        feeds = tmp_path / "feeds.yaml"
        text = site.feeds_file.read_text(encoding="utf-8").replace("__BASE_URL__", site.base_url)
        feeds.write_text(text, encoding="utf-8")
        code, out, err = run(capsys, *data, "ingest", "--feeds", str(feeds), "--json")
        assert code == 0, err
        first = json.loads(out)
        assert first["counts"]["feed-failed"] == 1

        code, out, _ = run(capsys, *data, "failures", "--json")
        letters = json.loads(out)
        assert [(x["stage"], x["reason"], x["retryable"]) for x in letters] == [("feed", "http-500", True)]
        assert letters[0]["url"].endswith("/feeds/fr.xml")

        code, out, _ = run(capsys, *data, "feeds", "status", "--feeds", str(feeds), "--json")
        rows = {r["url"].rsplit("/", 1)[1]: r for r in json.loads(out)}
        assert rows["fr.xml"]["failures"] == 1 and rows["en.xml"]["failures"] == 0

        site.broken.clear()  # the outlet recovers
        code, out, err = run(capsys, *data, "retry", "--feeds", str(feeds), "--json")
        assert code == 0, err
        retried = json.loads(out)
        assert retried["counts"]["retry-succeeded"] == 1
        assert retried["counts"]["indexed"] >= 1

    code, out, _ = run(capsys, *data, "failures", "--json")
    assert json.loads(out) == []
    code, out, _ = run(capsys, *data, "failures", "--all", "--json")
    assert [x["resolved"] for x in json.loads(out)] == [True]

    code, out, _ = run(capsys, *data, "runs", "--json")
    reports = json.loads(out)
    assert reports[0]["scope"] == "run" and reports[0]["report"]["counts"]["feed-failed"] == 1

    code, out, err = run(capsys, *data, "reextract", "--json")
    assert code == 0, err
    again = json.loads(out)["counts"]
    assert again.get("unchanged", 0) + again.get("updated", 0) >= first["counts"]["indexed"]
    assert again.get("reextract-failed", 0) == 0
