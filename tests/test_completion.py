"""Shell completion: the scripts ``--show-completion`` prints, and what TAB offers, asked the way
the shells ask (typer's environment-variable protocol, in a real ``castctl`` process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cohort_files import make_cohort, write_csv


def castctl(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "castctl", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **env},
        timeout=60,
    )


def bash_complete(line: str) -> list[str]:
    """What bash's TAB offers at the end of ``line`` (a trailing space: a new word)."""
    words = line.split(" ")
    proc = castctl(
        _CASTCTL_COMPLETE="complete_bash", COMP_WORDS=line, COMP_CWORD=str(len(words) - 1)
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr  # never an error in a prompt
    return [word for word in proc.stdout.splitlines() if word]


def zsh_complete(line: str) -> str:
    proc = castctl(_CASTCTL_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS=line)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return proc.stdout


@pytest.mark.parametrize(
    ("shell", "expected"),
    [
        ("bash", "complete -o default -F _castctl_completion castctl"),
        ("zsh", "compdef _castctl_completion castctl"),
        ("fish", "complete --command castctl"),
        ("powershell", "Register-ArgumentCompleter -Native -CommandName castctl"),
    ],
)
def test_show_completion_prints_the_script_for_each_shell(shell: str, expected: str):
    # Without detection the shell is named, as typer's own tests do (a test has no login shell).
    proc = castctl("--show-completion", shell, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert proc.returncode == 0, proc.stderr
    assert expected in proc.stdout
    assert "_CASTCTL_COMPLETE" in proc.stdout


def test_help_offers_install_and_show_completion(cli):
    out = cli("--help").stdout
    assert "--install-completion" in out and "--show-completion" in out


def test_commands_and_options_complete():
    assert bash_complete("castctl mentors s") == ["set"]
    assert {"backup", "export", "import", "restore"} <= set(bash_complete("castctl db "))
    assert "--province" in bash_complete("castctl districts --pr")


def test_pilot_districts_complete_by_code_and_name(database):
    assert bash_complete("castctl mentors set Mae") == ["Mae\\ Chai"]  # one word for bash
    assert bash_complete("castctl mentors set 40") == ["4001"]
    assert len(bash_complete("castctl mentors set ")) == 10  # the pilot districts' codes
    assert bash_complete("castctl mentors set แม่") == ["แม่ใจ"]
    # zsh shows what each suggestion is; names with spaces need no escaping there
    assert '"Mae Chai":"5607 Mae Chai (Phayao)"' in zsh_complete("castctl mentors set Mae")
    assert '"Mueang Yala":"9501' in zsh_complete("castctl progress --district Mue")


def test_names_complete_whatever_the_case_typed(database):
    """Names are taken case-insensitively, so completion keeps what was typed and adds the rest."""
    assert bash_complete("castctl mentors set mae") == ["mae\\ Chai"]
    assert bash_complete("castctl mentors set MAE") == ["MAE\\ Chai"]
    assert bash_complete("castctl districts --province chiang") == ["chiang\\ Mai", "chiang\\ Rai"]


def test_provinces_complete_for_districts_province(database):
    assert bash_complete("castctl districts --province Chiang") == ["Chiang\\ Mai", "Chiang\\ Rai"]
    assert bash_complete("castctl districts --province 5") == [str(n) for n in range(50, 59)]


def test_trainee_ids_complete_after_an_import(cli, database, tmp_path: Path):
    assert bash_complete("castctl trainees show ") == []  # no cohort yet
    cohort = make_cohort(12, prefix="CMP-")
    cli("trainees", "import", str(write_csv(tmp_path / "cohort.csv", cohort)))
    ids = sorted(row["trainee_id"] for row in cohort)
    assert bash_complete("castctl trainees show ") == ids
    assert bash_complete(f"castctl trainees withdraw {ids[3][:-1]}") == [
        i for i in ids if i.startswith(ids[3][:-1])
    ]
    assert bash_complete("castctl reports add C") == ids
    assert bash_complete("castctl assign --explain CMP") == ids
    assert bash_complete("castctl assignments history --trainee ") == ids
    assert bash_complete("castctl reports list --trainee X") == []


def test_no_database_means_no_suggestions_and_no_database_made(tmp_path: Path):
    missing = tmp_path / "nowhere" / "castctl.db"
    assert bash_complete(f"castctl --db {missing} mentors set Mae") == []
    assert bash_complete(f"castctl --db {tmp_path / 'new.db'} trainees show ") == []
    assert not missing.parent.exists() and not (tmp_path / "new.db").exists()
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all")
    assert bash_complete(f"castctl --db {broken} mentors set Mae") == []
    assert broken.read_bytes() == b"not a database at all"


def test_trainee_ids_and_pilots_complete_for_the_intake_given(cli, database, tmp_path: Path):
    intake = tmp_path / "2567.yaml"
    intake.write_text(
        'name: "2567"\nstart: 2024-07-01\nweeks: 6\npilot_weeks: 2\n'
        'pilot_districts:\n  - district: "5001"\n',
        encoding="utf-8",
    )
    cli("intakes", "import", str(intake))
    old, new = make_cohort(3, prefix="OLD-"), make_cohort(2, prefix="NEW-")
    new = [{**row, "pilot_preferences": ""} for row in new]  # 2023 pilots are not 2567's
    cli("--intake", "2566", "trainees", "import", str(write_csv(tmp_path / "old.csv", old)))
    cli("--intake", "2567", "trainees", "import", str(write_csv(tmp_path / "new.csv", new)))
    new_ids = sorted(row["trainee_id"] for row in new)
    assert bash_complete("castctl --intake 2567 trainees show ") == new_ids
    assert bash_complete("castctl --intake 2566 trainees show NEW") == []
    # Without --intake, the date rule: 2567 ended most recently (today is after both).
    assert bash_complete("castctl trainees show ") == new_ids
    assert bash_complete("castctl --intake 2567 mentors set Mueang") == ["Mueang\\ Chiang\\ Mai"]
    assert bash_complete("castctl --intake 2567 mentors set Mae") == []
    # An unknown intake offers every intake's ids rather than an error in the prompt.
    assert len(bash_complete("castctl --intake 25 trainees show ")) == 5
