"""``castctl summary weekly``: the digest, cron conditions, ``--once``, mail, atomic output.

Week 16 (Mon 16 – Fri 20 Oct 2023) of the cohort in tests/cohort.py: A1 and B2 reported,
A2, A3 and B1 did not; B1 (last report week 8) and A2 (week 14) have missed 2+ weeks in a row;
W1 is withdrawn and U1 is not placed, so neither is expected. Week 17 starts with a holiday
(Mon 23 Oct, Chulalongkorn Day).
"""

from __future__ import annotations

import datetime as dt
import email
import html.parser
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from castctl.core.intakes import builtin_intake
from tests.cohort import add_reports, make_cohort, set_mentor

MONDAY_AFTER_WEEK_16 = "2023-10-23"


@pytest.fixture
def cohort(database):
    make_cohort(database)
    return database


def weekly(*args: object) -> list[str]:
    return ["summary", "weekly", *map(str, args)]


def sent_log(db) -> set[tuple[int, str, str]]:
    return set(db.query("SELECT week, format, destination FROM sent_log"))


# ---- a real SMTP server on 127.0.0.1 ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    host: str
    port: int
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    reject: str | None = None  # an SMTP reply to refuse DATA with
    refuse: set[str] = field(default_factory=set)  # recipients refused at RCPT TO (550)
    logins: list[tuple[str, str]] = field(default_factory=list)


class Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.inbox.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.inbox.reject:
            return self.inbox.reject
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.inbox.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


def start_smtp(inbox: Inbox, **kwargs):
    from aiosmtpd.controller import Controller

    controller = Controller(Handler(inbox), hostname=inbox.host, port=inbox.port, **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox("127.0.0.1", free_port())
    controller = start_smtp(inbox)
    yield inbox
    controller.stop()


def mail_args(inbox: Inbox, *to: str) -> list[str]:
    args = []
    for address in to:
        args += ["--to", address]
    return [*args, "--smtp-host", inbox.host, "--smtp-port", str(inbox.port)]


# ---- the document -----------------------------------------------------------------------


def test_json_follows_the_contract(cli, cohort):
    doc = cli(*weekly("--as-of", MONDAY_AFTER_WEEK_16, "-f", "json")).json()
    assert (doc["week"], doc["phase"], doc["start"], doc["end"]) == (
        16, "target", "2023-10-16", "2023-10-20",
    )  # fmt: skip
    assert (doc["expected"], doc["submitted"]) == (5, 2)
    assert doc["missing"] == ["A2", "A3", "B1"]
    by_district = {d["code"]: (d["expected"], d["submitted"]) for d in doc["by_district"]}
    assert by_district["5607"] == (3, 1)
    assert by_district["4001"] == (2, 1)
    assert sum(e for e, _ in by_district.values()) == 5
    assert len(by_district) == 10
    assert [(s["trainee_id"], s["missing_streak"], s["last_week"]) for s in doc["streaks"]] == [
        ("B1", 8, 8), ("A2", 2, 14),
    ]  # fmt: skip
    assert doc["holidays"] == []
    assert doc["next_week"]["week"] == 17
    assert doc["next_week_holidays"] == [
        {"date": "2023-10-23", "name": "HM King Chulalongkorn Memorial Day"}
    ]
    assert doc["mechanisms"]["coordinate"] == 2 and doc["networks"]["people"] == 2
    assert [r["submitted"] for r in doc["rate_by_week"]] == [4] * 8 + [3, 4, 3, 4, 4, 3, 3, 2]
    assert {r["expected"] for r in doc["rate_by_week"]} == {5}


def test_week_holidays_and_last_week(cli, cohort):
    week5 = cli(*weekly("--week", 5, "-f", "json", "--lang", "th")).json()
    assert [h["date"] for h in week5["holidays"]] == ["2023-07-31", "2023-08-01", "2023-08-02"]
    assert all(h["name"] and not h["name"].isascii() for h in week5["holidays"])
    last = cli(*weekly("--week", 22, "-f", "json")).json()
    assert last["next_week"] is None and last["next_week_holidays"] == []
    assert last["expected"] == 5 and last["submitted"] == 0
    assert "This was the last week of the programme." in cli(*weekly("--week", 22)).stdout


@pytest.mark.parametrize(
    ("as_of", "week"),
    [
        ("2023-10-20", 16),  # Friday: week 16 has ended
        ("2023-10-21", 16),
        (MONDAY_AFTER_WEEK_16, 16),  # cron's slot
        ("2023-10-25", 16),  # cron missed Monday (machine down): still the week it missed
        ("2023-10-19", 15),  # Thursday: the last week that ended is 15
        ("2023-07-07", 1),
        ("2023-12-01", 22),
        ("2023-12-07", 22),  # the Thursday after the last Friday: it still just ended
    ],
)
def test_default_week_is_the_last_completed_one(cli, cohort, as_of, week):
    assert cli(*weekly("--as-of", as_of, "-f", "json")).json()["week"] == week


def test_after_the_intake_its_last_week_when_it_is_named(cli, cohort):
    doc = cli("--intake", "2566", *weekly("--as-of", "2024-06-01", "-f", "json")).json()
    assert (doc["intake"], doc["week"]) == ("2566", 22)


def test_long_after_the_intake_cron_sends_nothing(cli, cohort, tmp_path):
    out = tmp_path / "digest.txt"
    r = cli(*weekly("--as-of", "2023-12-08", "--once", "-o", out))
    assert r.stdout == "" and not out.exists()
    assert r.stderr.strip() == "no intake has a week that just ended on 2023-12-08; nothing to send"
    assert cohort.count("sent_log") == 0


def test_default_week_uses_today_in_bangkok(cli, cohort, monkeypatch):
    import datetime as dt

    import castctl.core.calendar as calendar

    monkeypatch.setattr(calendar, "today_in_bangkok", lambda: dt.date(2023, 8, 14))
    assert cli(*weekly("-f", "json")).json()["week"] == 6


def test_before_the_first_week_ends_is_a_clear_error(cli, cohort):
    r = cli("--intake", "2566", *weekly("--as-of", "2023-07-06"), code=1)
    assert r.stderr.startswith("Error: no week has ended yet on 2023-07-06")
    assert len(r.stderr.strip().splitlines()) == 1


def test_before_the_first_week_ends_cron_sends_nothing(cli, cohort):
    r = cli(*weekly("--as-of", "2023-07-06"))
    assert r.stdout == ""
    assert r.stderr.strip() == "no intake has a week that just ended on 2023-07-06; nothing to send"


def test_week_and_as_of_together_is_a_usage_error(cli, cohort):
    r = cli(*weekly("--week", 3, "--as-of", "2023-10-23"), code=2)
    assert "--week or --as-of" in r.stderr


def test_text_digest(cli, cohort):
    out = cli(*weekly("--as-of", MONDAY_AFTER_WEEK_16)).stdout
    assert out.startswith("Weekly summary: week 16 of 22\n")
    assert "Reports             2 of 5 submitted (40.0 %)" in out
    assert "No report this week (3)" in out
    assert "สมหญิง รักงาน" in out  # names as stored
    assert "2 or more weeks in a row without a report (2)" in out
    assert "Holidays next week: Mon 23 Oct HM King Chulalongkorn Memorial Day" in out
    assert "Wanna Left" not in out and "Unplaced" not in out
    assert "\x1b[" not in out


def test_thai_markdown_digest(cli, cohort):
    out = cli(*weekly("--week", 16, "-f", "markdown", "--lang", "th")).stdout
    assert out.startswith("# สรุปรายสัปดาห์: สัปดาห์ที่ 16 จาก 22\n")
    assert "| 5607 | แม่ใจ | 1 | 3 | 33.3 % |" in out
    assert "**วันหยุดราชการสัปดาห์หน้า:** 23 ต.ค. 66 วันปิยมหาราช" in out


class TagBalance(html.parser.HTMLParser):
    VOID = {"meta", "br", "img", "line", "rect", "hr", "link", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


def test_html_is_one_standalone_page_with_an_inline_svg_chart(cli, cohort):
    page = cli(*weekly("--as-of", MONDAY_AFTER_WEEK_16, "-f", "html")).stdout
    assert page.startswith("<!DOCTYPE html>")
    parser = TagBalance()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    assert "svg" in parser.tags and "style" not in parser.tags  # inline styles only
    assert not {"script", "link", "img", "iframe", "object"} & set(parser.tags)
    refs = [v for k, v in parser.attrs if k in ("src", "href")]
    assert refs == []  # nothing fetched from outside
    assert "url(" not in page and "@import" not in page
    # only the SVG namespace looks like a URL
    assert page.count("http") == page.count('xmlns="http://www.w3.org/2000/svg"') == 1
    svg = page[page.index("<svg") : page.index("</svg>") + 6]
    assert svg.count("<rect") == 16  # one bar per week so far
    assert "Week 16: 2/5 (40.0 %)" in svg
    assert 'charset="utf-8"' in page


# ---- cron: env -i, no TTY, no locale ----------------------------------------------------


def run_under_cron(db: object, *args: object, extra_env: tuple[str, ...] = ()):
    """``env -i PATH=/usr/bin:/bin HOME=/tmp``: no locale, no terminal (stdin/stdout not TTYs)."""
    command = [
        "env", "-i", "PATH=/usr/bin:/bin", "HOME=/tmp", f"CASTCTL_DB={db}", *extra_env,
        *[f"PYTHONPATH={path}" for path in [os.environ.get("PYTHONPATH")] if path],
        sys.executable, "-m", "castctl", *map(str, args),
    ]  # fmt: skip
    return subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, timeout=120, check=False
    )


def test_summary_under_env_i_in_a_subprocess(cohort, tmp_path):
    r = run_under_cron(cohort, *weekly("--as-of", MONDAY_AFTER_WEEK_16, "--lang", "th"))
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    text = r.stdout.decode("utf-8")  # strict: Thai must arrive as UTF-8
    assert "สรุปรายสัปดาห์: สัปดาห์ที่ 16 จาก 22" in text
    assert "สมหญิง รักงาน" in text
    assert b"\x1b[" not in r.stdout and r.stderr == b""

    doc = json.loads(run_under_cron(cohort, *weekly("--week", 16, "-f", "json")).stdout)
    assert doc["missing"] == ["A2", "A3", "B1"]

    out = tmp_path / "digest.html"
    r = run_under_cron(cohort, *weekly("--week", 16, "-f", "html", "--lang", "th", "-o", out))
    assert r.returncode == 0
    assert "วันปิยมหาราช" in out.read_text(encoding="utf-8")
    assert r.stderr.decode("utf-8").strip() == f"week 16 summary written to {out}"


def test_thai_is_utf8_even_when_python_is_told_ascii(cohort):
    r = run_under_cron(
        cohort, *weekly("--week", 16, "--lang", "th"), extra_env=("PYTHONIOENCODING=ascii",)
    )
    assert r.returncode == 0, r.stderr
    assert "ยังไม่ส่งรายงานสัปดาห์นี้ (3 คน)" in r.stdout.decode("utf-8")


# ---- --output is atomic -----------------------------------------------------------------


def test_output_is_written_atomically_with_mode_0600(cli, cohort, tmp_path):
    out = tmp_path / "digest.txt"
    out.write_text("last week's digest\n")
    old_inode = out.stat().st_ino
    reader = out.open()  # someone reading the old file while cron replaces it
    cli(*weekly("--week", 16, "--output", out))
    assert reader.read() == "last week's digest\n"  # the old file stays whole for its reader
    reader.close()
    assert out.stat().st_ino != old_inode  # a new file renamed into place, not rewritten
    assert out.read_text(encoding="utf-8").startswith("Weekly summary: week 16 of 22")
    assert out.stat().st_mode & 0o777 == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_failed_write_leaves_the_old_file_and_no_temporary(cli, cohort, tmp_path, monkeypatch):
    import castctl.io.files as files

    out = tmp_path / "digest.txt"
    out.write_text("old\n")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    r = cli(*weekly("--week", 16, "--output", out, "--once"), code=1)
    assert r.stderr.strip() == f"Error: cannot write {out}: No space left on device"
    assert out.read_text() == "old\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert sent_log(cohort) == set()  # not delivered, so the next run tries again


def test_output_into_a_missing_directory_is_one_line(cli, cohort, tmp_path):
    r = cli(*weekly("--week", 16, "--output", tmp_path / "nope" / "d.txt"), code=1)
    assert r.stderr.startswith("Error: cannot write") and "does not exist" in r.stderr


# ---- --once -----------------------------------------------------------------------------


def test_once_delivers_each_destination_once(cli, cohort, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = weekly("--as-of", MONDAY_AFTER_WEEK_16, "--output", "digest.txt", "--once")
    first = cli(*args)
    out = tmp_path / "digest.txt"
    assert first.stderr.strip() == f"week 16 summary written to {out}"
    before = out.read_bytes(), out.stat().st_mtime_ns, out.stat().st_ino
    assert sent_log(cohort) == {(16, "text", str(out))}  # the absolute path

    add_reports(cohort, [("A2", 16)])  # the digest would now read differently
    again = cli(*args)
    assert again.stdout == ""
    assert again.stderr.strip() == (
        "intake 2566 week 16 summary (text) was already delivered to every destination; "
        "nothing sent"
    )
    assert (out.read_bytes(), out.stat().st_mtime_ns, out.stat().st_ino) == before

    # a run that missed its slot (Wednesday) still means week 16: nothing to do
    late = cli(*weekly("--as-of", "2023-10-25", "--output", out, "--once"))
    assert "already delivered" in late.stderr

    # another format is another delivery; the next week too
    cli(*weekly("--as-of", MONDAY_AFTER_WEEK_16, "-f", "html", "-o", "digest.html", "--once"))
    cli(*weekly("--as-of", "2023-10-30", "--output", out, "--once"))
    assert sent_log(cohort) == {
        (16, "text", str(out)),
        (16, "html", str(tmp_path / "digest.html")),
        (17, "text", str(out)),
    }


def test_stdout_is_never_logged(cli, cohort):
    first = cli(*weekly("--week", 16, "--once"))
    second = cli(*weekly("--week", 16, "--once"))
    assert first.stdout == second.stdout != ""
    assert sent_log(cohort) == set()


def test_failed_send_records_nothing_and_the_next_run_retries(cli, cohort, tmp_path):
    inbox = Inbox("127.0.0.1", free_port())  # nothing listens there yet
    out = tmp_path / "digest.html"
    args = weekly("--week", 16, "-f", "html", "--once", "-o", out,
                  *mail_args(inbox, "boss@example.org"))  # fmt: skip
    r = cli(*args, code=1)
    written, error = r.stderr.strip().splitlines()
    assert written == f"week 16 summary written to {out}"
    assert error.startswith(
        f"Error: could not send mail to boss@example.org: 127.0.0.1:{inbox.port}: "
    )
    assert sent_log(cohort) == {(16, "html", str(out))}  # the file got there, the mail did not
    inode = out.stat().st_ino

    controller = start_smtp(inbox)
    try:
        retry = cli(*args)
        assert "1 destination(s) already had it; skipped" in retry.stderr
        assert "week 16 summary mailed to boss@example.org" in retry.stderr
        assert len(inbox.messages) == 1
        assert out.stat().st_ino == inode  # the file was not written again
        assert sent_log(cohort) == {(16, "html", str(out)), (16, "html", "boss@example.org")}
        done = cli(*args)
        assert "already delivered to every destination" in done.stderr
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


def test_refused_message_is_retried(cli, cohort, smtp):
    smtp.reject = "554 5.7.1 not today"
    args = weekly("--week", 16, "--once", *mail_args(smtp, "boss@example.org"))
    r = cli(*args, code=1)
    assert r.stderr.strip() == "Error: could not send mail to boss@example.org: 554 5.7.1 not today"
    assert sent_log(cohort) == set()
    smtp.reject = None
    cli(*args)
    cli(*args)
    assert len(smtp.messages) == 1


# ---- mail -------------------------------------------------------------------------------


def test_mail_to_a_real_smtp_server_thai_html(cli, cohort, smtp):
    r = cli(*weekly("--week", 16, "-f", "html", "--lang", "th", "--from", "castctl@moi.example",
                    *mail_args(smtp, "boss@example.org", "ops@example.org")))  # fmt: skip
    assert r.stdout == ""
    assert r.stderr.strip() == "week 16 summary mailed to boss@example.org, ops@example.org"
    [(recipients, msg)] = smtp.messages
    assert sorted(recipients) == ["boss@example.org", "ops@example.org"]
    assert msg["Subject"] == "castctl สรุปรายสัปดาห์: รุ่น 2566 สัปดาห์ที่ 16 (16–20 ต.ค. 66)"
    assert msg["From"] == "castctl@moi.example"
    assert msg["To"] == "boss@example.org, ops@example.org"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",))
    assert text.get_content_charset() == "utf-8"
    body = text.get_content()
    assert "ยังไม่ส่งรายงานสัปดาห์นี้ (3 คน)" in body and "สมหญิง รักงาน" in body
    part = msg.get_body(("html",))
    assert part.get_content_type() == "text/html" and part.get_content_charset() == "utf-8"
    page = part.get_content()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "สมหญิง รักงาน" in page


def test_mail_text_digest_in_english(cli, cohort, smtp):
    cli(*weekly("--as-of", MONDAY_AFTER_WEEK_16, *mail_args(smtp, "boss@example.org")))
    [(_, msg)] = smtp.messages
    assert msg["Subject"] == "castctl weekly summary: intake 2566, week 16 (16–20 Oct 2023)"
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().startswith("Weekly summary: week 16 of 22")


def test_smtp_login_with_password_from_the_environment(cli, cohort, monkeypatch):
    from aiosmtpd.smtp import AuthResult

    inbox = Inbox("127.0.0.1", free_port())

    def text(value: str | bytes) -> str:
        return value.decode() if isinstance(value, bytes) else value

    def authenticator(server, session, envelope, mechanism, auth_data):
        login, password = text(auth_data.login), text(auth_data.password)
        inbox.logins.append((login, password))
        ok = (login, password) == ("castctl", "s3cret")
        return AuthResult(success=ok, handled=False)

    controller = start_smtp(inbox, authenticator=authenticator, auth_require_tls=False)
    try:
        monkeypatch.setenv("CASTCTL_SMTP_PASSWORD", "s3cret")
        login = ["--smtp-user", "castctl", "--smtp-password-env", "CASTCTL_SMTP_PASSWORD"]
        cli(*weekly("--week", 16, *mail_args(inbox, "boss@example.org"), *login))
        assert inbox.logins[-1] == ("castctl", "s3cret") and len(inbox.messages) == 1
        monkeypatch.setenv("CASTCTL_SMTP_PASSWORD", "wrong")
        r = cli(*weekly("--week", 16, *mail_args(inbox, "boss@example.org"), *login), code=1)
        assert "login to 127.0.0.1 failed" in r.stderr and "wrong" not in r.stderr
    finally:
        controller.stop()
    monkeypatch.delenv("CASTCTL_SMTP_PASSWORD")
    r = cli(*weekly("--week", 16, *mail_args(inbox, "boss@example.org"), "--smtp-user", "u",
                    "--smtp-password-env", "CASTCTL_SMTP_PASSWORD"), code=1)  # fmt: skip
    assert r.stderr.strip() == "Error: the environment variable CASTCTL_SMTP_PASSWORD is not set"


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["--to", "boss@example.org"], 2, "--smtp-host"),
        (["--smtp-host", "127.0.0.1"], 2, "--to"),
        (["--to", "not-an-address", "--smtp-host", "h"], 1, "Error: --to: not an email address"),
        (
            ["--to", "ok@example.org", "--to", "a b@x.com", "--smtp-host", "h"],
            1,
            "Error: --to (2nd value): not a valid email address",
        ),
        (["--to", "a@b@c", "--smtp-host", "h"], 1, "Error: --to: not a valid email address"),
        (["--to", "x@a.com,y@b.com", "--smtp-host", "h"], 1, "holds more than one address"),
        (["--to", "a@b.c", "--smtp-host", "h", "--smtp-user", "u"], 2, "--smtp-password-env"),
    ],
)
def test_mail_option_mistakes(cli, cohort, args, code, error):
    r = cli(*weekly("--week", 16, *args), code=code)
    assert error in r.stderr


def test_per_mentor_digests(cli, cohort, smtp, tmp_path):
    set_mentor(cohort, "5607", name="Mentor Mae Chai", email="chief.maechai@example.org")
    set_mentor(cohort, "4001", name="Mentor Khon Kaen", email="chief.khonkaen@example.org")
    out = tmp_path / "digest.html"
    args = weekly("--week", 16, "-f", "html", "--per-mentor", "--once", "-o", out,
                  *mail_args(smtp, "boss@example.org"))  # fmt: skip
    r = cli(*args)
    assert "chief." not in r.stderr  # addresses the user did not type stay off the log lines
    assert sorted(p.name for p in tmp_path.glob("digest-*.html")) == [
        "digest-4001.html", "digest-5607.html",
    ]  # fmt: skip
    mae_chai = (tmp_path / "digest-5607.html").read_text(encoding="utf-8")
    assert "Anan Sukjai" in mae_chai and "Boonmee Dee" not in mae_chai
    assert len(smtp.messages) == 2
    by_to = {m["To"]: (rcpts, m) for rcpts, m in smtp.messages}
    rcpts, msg = by_to["chief.maechai@example.org"]
    assert sorted(rcpts) == ["boss@example.org", "chief.maechai@example.org"]
    assert msg["Cc"] == "boss@example.org"
    assert (
        msg["Subject"]
        == "castctl weekly summary: intake 2566, week 16 (16–20 Oct 2023) – Mae Chai (5607)"
    )
    text = msg.get_body(("plain",)).get_content()
    assert "Mentor Mae Chai" in text and "A2" in text and "B1" not in text
    assert len(sent_log(cohort)) == 6  # 2 files + 2 mentors x (mentor, copy)
    assert (16, "html", "mentor 5607: chief.maechai@example.org") in sent_log(cohort)
    again = cli(*args)
    assert "already delivered" in again.stderr and len(smtp.messages) == 2


def test_each_mentor_address_is_delivered_and_logged_on_its_own(cli, cohort, smtp):
    """A mentor with two addresses, one refused by the server: the other gets the digest and is
    logged; the run fails as a mail failure does; the next run sends to the refused one only."""
    cli("mentors", "set", "5607", "--email", "chief.maechai@example.org",
        "--email", "deputy.maechai@example.org")  # fmt: skip
    set_mentor(cohort, "4001", name="K", email="chief.khonkaen@example.org")
    smtp.refuse = {"deputy.maechai@example.org"}
    args = weekly("--week", 16, "--per-mentor", "--once", *mail_args(smtp))
    first = cli(*args, code=1)
    assert first.stderr.strip().splitlines()[-1] == (
        "Error: could not send mail to the mentor of 5607 (2nd address): the server refused "
        "1 of 2 recipients; sent to the other 1"
    )
    assert "chief." not in first.stderr and "deputy." not in first.stderr
    assert [sorted(rcpts) for rcpts, _ in smtp.messages] == [
        ["chief.khonkaen@example.org"], ["chief.maechai@example.org"],
    ]  # fmt: skip
    _, mae_chai = smtp.messages[1]
    assert mae_chai["To"] == "chief.maechai@example.org, deputy.maechai@example.org"
    assert sent_log(cohort) == {
        (16, "text", "mentor 4001: chief.khonkaen@example.org"),
        (16, "text", "mentor 5607: chief.maechai@example.org"),
    }

    smtp.refuse = set()
    retry = cli(*args)
    assert "2 destination(s) already had it; skipped" in retry.stderr
    assert len(smtp.messages) == 3
    rcpts, msg = smtp.messages[2]
    assert rcpts == ["deputy.maechai@example.org"]  # not again to the chief
    assert "Mae Chai" in msg["Subject"]
    assert (16, "text", "mentor 5607: deputy.maechai@example.org") in sent_log(cohort)
    assert len(sent_log(cohort)) == 3
    done = cli(*args)
    assert "already delivered to every destination" in done.stderr and len(smtp.messages) == 3


def test_a_to_address_refused_alone_is_retried_alone(cli, cohort, smtp):
    smtp.refuse = {"ops@example.org"}
    args = weekly("--week", 16, "--once", *mail_args(smtp, "boss@example.org", "ops@example.org"))
    first = cli(*args, code=1)
    assert first.stderr.strip().splitlines()[-1] == (
        "Error: could not send mail to ops@example.org: the server refused 1 of 2 recipients; "
        "sent to the other 1"
    )
    assert sent_log(cohort) == {(16, "text", "boss@example.org")}
    smtp.refuse = set()
    cli(*args)
    assert [rcpts for rcpts, _ in smtp.messages] == [["boss@example.org"], ["ops@example.org"]]
    assert sent_log(cohort) == {(16, "text", "boss@example.org"), (16, "text", "ops@example.org")}


def test_a_stored_comma_joined_mentor_email_reaches_both(cli, cohort, smtp):
    """A database written before addresses were checked may hold two in one value."""
    set_mentor(cohort, "5607", name="M", email="chief.maechai@example.org,deputy@example.org")
    set_mentor(cohort, "4001", name="K", email="chief.khonkaen@example.org")
    cli(*weekly("--week", 16, "--per-mentor", "--once", *mail_args(smtp)))
    assert sorted(r for rcpts, _ in smtp.messages for r in rcpts) == [
        "chief.khonkaen@example.org", "chief.maechai@example.org", "deputy@example.org",
    ]  # fmt: skip
    assert len(sent_log(cohort)) == 3


def test_per_mentor_json_to_stdout_is_a_list(cli, cohort):
    docs = cli(*weekly("--week", 16, "-f", "json", "--per-mentor")).json()
    assert [(d["mentor"]["district_code"], d["expected"], d["missing"]) for d in docs] == [
        ("4001", 2, ["B1"]), ("5607", 3, ["A2", "A3"]),
    ]  # fmt: skip


def test_per_mentor_without_a_mentor_address_is_an_error_naming_no_one(cli, cohort, smtp):
    set_mentor(cohort, "5607", name="Mentor Mae Chai", email="chief.maechai@example.org")
    r = cli(*weekly("--week", 16, "--per-mentor", "--smtp-host", smtp.host, "--smtp-port",
                    smtp.port), code=1)  # fmt: skip
    assert r.stderr.startswith("Error: no email for the mentor of 4001")
    assert "chief." not in r.stderr and "Mentor" not in r.stderr
    assert smtp.messages == []


def test_per_mentor_mail_failure_names_the_mentor_not_the_address(cli, cohort):
    set_mentor(cohort, "5607", name="M", email="chief.maechai@example.org")
    set_mentor(cohort, "4001", name="K", email="chief.khonkaen@example.org")
    port = free_port()
    r = cli(*weekly("--week", 16, "--per-mentor", "--once", "--smtp-host", "127.0.0.1",
                    "--smtp-port", port), code=1)  # fmt: skip
    assert r.stderr.startswith("Error: could not send mail to the mentor of 4001: ")
    assert "the mentor of 5607" in r.stderr and "chief." not in r.stderr
    assert sent_log(cohort) == set()


def test_module_entry_point_help_needs_no_database(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "castctl", "summary", "weekly", "--help"],
        capture_output=True, text=True, env={**os.environ, "CASTCTL_DB": str(tmp_path / "x.db")},
        check=False,
    )  # fmt: skip
    assert r.returncode == 0 and "--once" in r.stdout
    assert not (tmp_path / "x.db").exists()


# ---- the use cases, called directly ------------------------------------------------------


@pytest.fixture
def store(cohort):
    from castctl.app.stores import open_store

    opened, _ = open_store(cohort.url)
    yield opened
    opened.close()


def test_deliver_weekly_once_twice_delivers_nothing_the_second_time(store, cohort, smtp, tmp_path):
    from castctl.app.summary import deliver_weekly, mail_server, weekly_summary

    summary = weekly_summary(store, builtin_intake(), week=16, fmt="markdown")
    assert [d.district for d in summary.digests] == [None]
    target = tmp_path / "digest.md"

    def deliver(lines: list[str]):
        return deliver_weekly(
            store,
            summary,
            outputs=[target],
            to=["boss@example.org"],
            smtp=mail_server(smtp.host, port=smtp.port),
            once=True,
            notify=lines.append,
        )

    first_lines: list[str] = []
    first = deliver(first_lines)
    assert (first.written, first.mailed, first.skipped) == ([target], ["boss@example.org"], 0)
    assert first_lines == [
        f"week 16 summary written to {target}",
        "week 16 summary mailed to boss@example.org",
    ]
    assert target.read_text(encoding="utf-8") == summary.digests[0].body
    assert len(smtp.messages) == 1
    assert sent_log(cohort) == {
        (16, "markdown", str(target)),
        (16, "markdown", "boss@example.org"),
    }

    target.unlink()
    again_lines: list[str] = []
    again = deliver(again_lines)
    assert (again.written, again.mailed, again.skipped) == ([], [], 2)
    assert again_lines == [
        "intake 2566 week 16 summary (markdown) was already delivered to every destination; "
        "nothing sent"
    ]
    assert not target.exists() and len(smtp.messages) == 1


def test_weekly_summary_per_mentor_only_for_mentors_with_trainees(store):
    from castctl.app.summary import per_mentor_path, weekly_summary

    summary = weekly_summary(store, builtin_intake(), as_of=dt.date(2023, 10, 23), per_mentor=True)
    assert summary.week == 16
    assert [d.district for d in summary.digests] == ["4001", "5607"]
    assert [d.doc["expected"] for d in summary.digests] == [2, 3]
    assert per_mentor_path(Path("/x/digest.html"), "5607") == Path("/x/digest-5607.html")
    assert per_mentor_path(Path("/x/{district}.md"), "4001") == Path("/x/4001.md")
