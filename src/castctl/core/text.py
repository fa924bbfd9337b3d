"""The one canonical form of text that castctl compares: ids, names, lookups.

Thai offices type the same word in several byte sequences that look identical on screen: the
decomposed sara am (NIKHAHIT + SARA AA) instead of U+0E33, combining marks in a different
order (NFD or an IME's order), a zero-width space that Thai word-breaking tools insert, a
non-breaking space copied from a web page, full-width digits from an East Asian keyboard
layout. ``canonical`` folds all of these so that a lookup or a duplicate check sees one value;
``id_key`` also folds letter case and compatibility forms, for trainee ids only (a name keeps
its case because it is shown back to people).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Never visible, never meaningful in an id or a name: zero-width space/non-joiner/joiner, word
# joiner, BOM (a stray one survives when files are concatenated), soft hyphen.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_DROP_INVISIBLE = str.maketrans(dict.fromkeys(ZERO_WIDTH))
_INVISIBLE = re.compile(f"[{ZERO_WIDTH}]")

NIKHAHIT = "\u0e4d"
SARA_AA = "\u0e32"
SARA_AM = "\u0e33"
# NIKHAHIT (+ a tone mark typed in between) + SARA AA is how sara am is typed on some keyboards
# and what NFKC turns U+0E33 into; Unicode has no canonical mapping between the two, so NFC
# alone leaves them different.
_DECOMPOSED_SARA_AM = re.compile(f"{NIKHAHIT}([\u0e48-\u0e4b]?){SARA_AA}")


def canonical(text: str) -> str:
    """NFC, Thai sara am composed, invisible characters dropped, whitespace runs (NBSP too) as
    one space, and no surrounding space. Letter case is kept."""
    if text.isascii():  # ids, codes, English names: the hot path, nothing to fold
        return " ".join(text.split())
    if _INVISIBLE.search(text):
        text = text.translate(_DROP_INVISIBLE)
    text = unicodedata.normalize("NFC", text)
    if NIKHAHIT in text:
        text = _DECOMPOSED_SARA_AM.sub(rf"\1{SARA_AM}", text)
    return " ".join(text.split())


def id_text(text: str) -> str:
    """How a new trainee id is stored: ``canonical`` after NFKC (full-width ``Ｔ００１`` is
    ``T001``), letter case as typed."""
    if text.isascii():
        return " ".join(text.split())
    return canonical(unicodedata.normalize("NFKC", text))


def id_key(text: str) -> str:
    """What makes two trainee ids the same trainee: ``id_text``, case-folded (``t001`` is
    ``T001``)."""
    return id_text(text).casefold()


def name_key(text: str) -> str:
    """What makes two names of a place, department or term the same: ``canonical``,
    case-folded (Thai has no case; English names are typed in any case)."""
    return canonical(text).casefold()


class KnownIds:
    """Ids already stored, found by ``id_key``: a file's ``t001`` is the stored ``T001``.

    Spreadsheets turn the id ``00042`` into the number 42; a digits-only value that matches a
    stored id only once its leading zeros are dropped is reported instead of becoming a new
    trainee.
    """

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._by_key: dict[str, str] = {}
        self._by_digits: dict[str, str] = {}
        for stored in ids:
            self.add(stored)

    def add(self, stored: str) -> None:
        key = id_key(stored)
        self._by_key.setdefault(key, stored)
        if key.isdecimal() and key.startswith("0"):
            self._by_digits.setdefault(key.lstrip("0"), stored)

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and id_key(text) in self._by_key

    def get(self, text: str) -> str | None:
        """The stored spelling of the id ``text`` names, or None."""
        return self._by_key.get(id_key(text))

    def lost_zeros(self, text: str) -> str | None:
        """The stored id that ``text`` is, once Excel has dropped its leading zeros, or None."""
        key = id_key(text)
        if not key.isdecimal() or key in self._by_key:
            return None
        return self._by_digits.get(key.lstrip("0"))


def lost_zeros_message(typed: str, stored: str) -> str:
    return (
        f"{typed} looks like the id {stored} without its leading zeros (spreadsheets drop "
        f"them from numbers): format the column as Text and type {stored}"
    )


# ---- quoting typed text back in an error message ---------------------------------------------

# A value that is a code, a number or a date: short, no "@", and either holding a digit or in
# one letter case (DOPA, coordinate, T001, 2023-07-14, SDG 4). A name (Somchai, นายสมชาย) or
# an address is none of these, so it is never printed back.
_CODE_LIKE = re.compile(r"[A-Za-z0-9_.\-;/:+ ]{1,24}")
# Nine digits or more, perhaps with separators: a phone number (081-234-5678), a citizen id
# (1-2345-67890-12-3) or an account number, never printed back. Dates have eight digits.
_LONG_NUMBER = re.compile(r"\+?[0-9][0-9 .\-()]*")


def quotable(text: str) -> bool:
    """Whether an error may print ``text``: it is a code, a number or a date, not a person's
    name, address or note (import errors are pasted into chats and tickets)."""
    if len(text) > 24 or "@" in text:
        return False
    if _LONG_NUMBER.fullmatch(text) and sum(c.isdigit() for c in text) >= 9:
        return False
    if not any(c.isalpha() for c in text):
        return True  # a number, a date, punctuation: nothing that names a person
    if not _CODE_LIKE.fullmatch(text):
        return False
    if any(c.isdigit() for c in text):
        return True
    return " " not in text and (text.isupper() or text.islower())
