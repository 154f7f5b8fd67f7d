"""report.html: a page a person reads offline, with its findings' reproducers, replay commands,
decision diffs and matplotlib plots."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.campaign.cli import run

PNG = b"\x89PNG\r\n\x1a\n"


def test_report_html_renders_with_its_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "html"
    argv = ["campaign", "--workers", "1", "--db", "none", "--report", str(report), "--format", "json"]
    argv += ["--max-examples", "80", "--property", "signature/host-ports", "--property", "signature/pod-namespace"]
    assert run(argv, plots=True) == 1
    capsys.readouterr()
    doc = json.loads((report / "report.json").read_text())
    page = (report / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # Offline: no scripts, nothing fetched from elsewhere; every image is a PNG beside the page.
    assert "<script" not in page and not re.search(r"(src|href)=['\"]https?:", page)
    images = re.findall(r"<img src='([^']+)'", page)
    assert len(images) == 3
    for image in images:
        assert (report / image).read_bytes().startswith(PNG)
    assert doc["findings"]
    for finding in doc["findings"]:
        assert f"id='{finding['id']}'" in page
        assert finding["replay"] in page
        first = (report / finding["directory"] / "first.yaml").read_text()
        assert "first.yaml" in page and first.splitlines()[0] in page
    for name in doc["properties"]:
        assert f"<code>{name}</code>" in page
    assert "Decision diff" in page and "found after" in page


def test_without_plots_the_page_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "plain"
    argv = ["campaign", "--workers", "1", "--db", "none", "--report", str(report), "--max-examples", "5"]
    assert run([*argv, "--property", "signature/pod-namespace", "--allow-unreached"]) in (0, 1)
    capsys.readouterr()
    page = (report / "report.html").read_text()
    assert "--no-plots" in page and "<img" not in page
    assert not (report / "plots").exists()
