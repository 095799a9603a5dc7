"""Progress bars on a terminal only; the build's summary line everywhere; a fast start.

The bar is tested on a real pseudo-terminal where there is one (POSIX), and by telling the
CLI that stderr is a terminal where there is none; in a pipe nothing but the summary shows.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import composer
import composer.cli as cli

from .conftest import SIMPLE_ASSESSMENT, write

ROOT = Path(__file__).resolve().parent.parent
N = 6  # above the CLI's PROGRESS_MIN
SUMMARY = re.compile(r"built (\d+), skipped (\d+), failed (\d+), time \d+\.\d s")


def many(ws: Path, n: int = N) -> Path:
    for i in range(n):
        write(ws / "assessments" / f"doc{i:02d}.yaml", SIMPLE_ASSESSMENT.replace('number: "1"', f'number: "{i + 1}"'))
    return ws


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k != "CI"}  # CI hides the bar even on a terminal
    out["PYTHONPATH"] = str(ROOT)
    out["COLUMNS"] = "100"
    return out


def hyoka(*args: str) -> list[str]:
    return [sys.executable, "-m", "composer", *args]


def test_build_prints_its_summary_last_on_stderr(ws: Path, run) -> None:
    many(ws)
    first = run("-C", str(ws), "build", "--format", "md")
    assert first.exit_code == 0
    assert first.stdout.count("wrote ") == N
    m = SUMMARY.fullmatch(first.stderr.strip())
    assert m and m.groups() == (str(N), "0", "0"), first.stderr
    again = run("-C", str(ws), "build", "--format", "md")
    m = SUMMARY.fullmatch(again.stderr.strip())
    assert m and m.groups() == ("0", str(N), "0"), again.stderr


def test_a_build_with_an_error_prints_the_errors_and_their_count_only(ws: Path, run) -> None:
    many(ws, 2)
    write(ws / "assessments" / "bad.yaml", SIMPLE_ASSESSMENT.replace("gov-cloud/storage@1", "gov-cloud/nosuch@1"))
    result = run("-C", str(ws), "build", "--format", "md")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert "unknown clause 'gov-cloud/nosuch'" in lines[0] and lines[-1] == "1 error", result.stderr
    assert not SUMMARY.search(result.stderr)  # nothing was built: the errors say so
    assert not (ws / "build" / "doc00.md").exists()


def test_a_build_whose_writer_fails_ends_with_the_summary(ws: Path, run, monkeypatch) -> None:
    from composer.writers import html

    many(ws)

    def broken(composed, path):  # type: ignore[no-untyped-def]
        if composed.name == "doc03":
            raise ValueError("boom")
        return real(composed, path)

    real = html.write_markdown
    monkeypatch.setattr(html, "write_markdown", broken)
    result = run("-C", str(ws), "build", "--format", "md")
    assert result.exit_code != 0
    m = SUMMARY.fullmatch(result.stderr.strip().splitlines()[-1])
    assert m and m.groups() == (str(N - 1), "0", "1"), result.stderr


def test_piped_build_shows_no_bar_only_the_summary(ws: Path) -> None:
    many(ws)
    proc = subprocess.run(hyoka("-C", str(ws), "build", "--format", "md"), cwd=ROOT, env=env(), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and SUMMARY.fullmatch(lines[0]), proc.stderr
    assert "\r" not in proc.stderr and "%|" not in proc.stderr


def test_piped_check_shows_no_bar(ws: Path) -> None:
    many(ws)
    proc = subprocess.run(hyoka("-C", str(ws), "check"), cwd=ROOT, env=env(), capture_output=True, text=True, timeout=120)
    assert "errors," in proc.stderr
    assert "checking" not in proc.stderr and "\r" not in proc.stderr


def _on_terminal(ws: Path, *args: str) -> str:
    """stderr of hyoka run with a pseudo-terminal as its stderr (POSIX)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 rows, 100 columns
    try:
        proc = subprocess.Popen(hyoka("-C", str(ws), *args), cwd=ROOT, env=env(), stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # the terminal closed (Linux: EIO)
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=120)
    finally:
        os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def _forced_terminal(monkeypatch, run, ws: Path, *args: str) -> str:
    """stderr of hyoka run in-process, told that stderr is a terminal (where there is no pty)."""
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    return run("-C", str(ws), *args).stderr


def terminal_stderr(monkeypatch, run, ws: Path, *args: str) -> str:
    if os.name == "posix":
        return _on_terminal(ws, *args)
    return _forced_terminal(monkeypatch, run, ws, *args)


def test_on_a_terminal_build_shows_a_bar_then_the_summary(ws: Path, monkeypatch, run) -> None:
    many(ws)
    err = terminal_stderr(monkeypatch, run, ws, "build", "--format", "md")
    assert "building" in err and "%|" in err, err
    shown_last = err.replace("\r\n", "\n").rsplit("\r", 1)[-1]  # what stays on the screen: the bar is cleared
    assert SUMMARY.fullmatch(shown_last.strip()), err


def test_on_a_terminal_check_lint_and_outdated_show_a_bar(ws: Path, monkeypatch, run) -> None:
    many(ws)
    for command, label in (("check", "checking"), ("lint", "linting"), ("outdated", "reading")):
        err = _forced_terminal(monkeypatch, run, ws, command)
        assert f"{label}" in err and "%|" in err, (command, err)


def test_few_documents_show_no_bar_even_on_a_terminal(ws: Path, monkeypatch, run) -> None:
    many(ws, 2)
    err = _forced_terminal(monkeypatch, run, ws, "build", "--format", "md")
    assert "building" not in err and SUMMARY.fullmatch(err.strip()), err


def test_a_bar_is_never_shown_under_ci(monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert cli._interactive() is False


# --------------------------------------------------------------------------- start


HEAVY = ("docx", "openpyxl", "jinja2", "lxml", "yaml", "ruamel.yaml", "composer.api", "composer.batch", "tqdm")


def test_help_and_version_import_no_heavy_module() -> None:
    for argv in (["--help"], ["--version"], ["build", "--help"]):
        code = (
            "import sys, composer.cli\n"
            f"sys.argv = {['hyoka', *argv]!r}\n"
            "try:\n    composer.cli.main()\nexcept SystemExit:\n    pass\n"
            f"print('LOADED:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
        )
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env(), capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        loaded = proc.stdout.rsplit("LOADED:", 1)[-1].strip()
        assert "Usage" in proc.stdout or "version" in proc.stdout
        assert loaded == "", f"hyoka {' '.join(argv)} imported {loaded}"


def test_the_package_names_its_api_lazily() -> None:
    code = (
        "import sys, composer\n"
        "assert 'composer.api' not in sys.modules, 'import composer imported the api'\n"
        "from composer import build, UserError, judge, Workspace\n"
        "assert 'composer.api' in sys.modules\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
    assert set(composer.__all__) <= set(dir(composer))
    for name in composer.__all__:
        assert getattr(composer, name) is not None, name
    try:
        composer.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")


def test_on_a_terminal_check_prints_each_problem_whole_above_its_bar(ws: Path, monkeypatch, run) -> None:
    many(ws)
    for i in range(N):  # a finding in every document (サーバ: term-variant), printed while the bar runs
        path = ws / "assessments" / f"doc{i:02d}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("書庫に保管する。", "書庫に保管する。サーバは庁舎内に置く。"), encoding="utf-8")
    err = terminal_stderr(monkeypatch, run, ws, "check")
    assert "checking" in err and "%|" in err, err
    shown = [line.rsplit("\r", 1)[-1] for line in err.replace("\r\n", "\n").split("\n")]  # what each line shows at the end
    found = [line for line in shown if "[term-variant]" in line]
    assert sum(line.startswith("assessments/doc") for line in found) == N and not [line for line in found if "%|" in line], err
    assert re.fullmatch(r"\d+ errors, \d+ warnings", shown[-1].strip() or shown[-2].strip()), err
