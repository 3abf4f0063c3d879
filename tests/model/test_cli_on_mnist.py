"""The command line on the real data: `fetch` finds the verified MNIST cache and says so. (The
rest of the command line, on synthetic digits: tests/unit/test_cli.py.)"""

from __future__ import annotations

from digitlab import cli


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_fetch_says_where_the_data_came_from(capsys, mnist):
    code, out, _ = run(capsys, "fetch", "--source", "cache")
    assert code == 0 and "MNIST: 70,000 images of 28x28 from cache" in out
