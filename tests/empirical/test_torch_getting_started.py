"""The getting-started page's Python code runs as printed (it trains a tiny experiment, so it needs torch)."""

from doc_checks import python_blocks, run_blocks


def test_getting_started_runs(tmp_path, capsys):
    assert len(python_blocks("docs/getting-started.md")) == 3
    run_blocks("docs/getting-started.md", tmp_path)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "0.2183 True held"  # the printed claim of the page
    assert out[1] == "first-figure.png" and (tmp_path / "first-figure.png").stat().st_size > 10_000
    assert out[2].split()[:2] == ["prediction", "predicted"] and out[3] == "True"
    assert (tmp_path / "runs" / "gaussian-linear" / "report.json").is_file()
