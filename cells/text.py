"""Vietnamese text helpers: sort keys that put names in dictionary order (a ă â b c d đ e ê …), numbers and dates
as Vietnamese writes them."""

import datetime
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

# Base letters in Vietnamese alphabetical order; a letter with a modifier (breve, circumflex, horn, stroke) sorts
# after its base letter, and tones only break ties (they are a secondary level, as in dictionaries).
_LETTER_MODIFIER = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve, circumflex, horn
_TONES = {"\u0300": 2, "\u0309": 3, "\u0303": 4, "\u0301": 5, "\u0323": 6}  # huyền, hỏi, ngã, sắc, nặng


def _letter_codes(word: str) -> tuple[str, str]:
    primary, secondary = [], []
    for char in word.lower():
        if char == "đ":
            primary.append("d1")
            secondary.append("0")
            continue
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        modifier = max((_LETTER_MODIFIER.get(mark, 0) for mark in marks), default=0)
        tone = max((_TONES.get(mark, 0) for mark in marks), default=0)
        primary.append(f"{base}{modifier}" if base.isalnum() else "")
        secondary.append(str(tone))
    return "".join(primary), "".join(secondary)


def vi_sort_key(text: str) -> str:
    """An ASCII key whose plain string order is Vietnamese dictionary order, on every database collation."""
    words = unicodedata.normalize("NFC", text).split()
    codes = [_letter_codes(word) for word in words]
    # Each letter is a letter and a digit; words are separated by "00", which sorts before any letter, so
    # "An" < "Anh". Tones come after all the letters, as a tie-breaker.
    return "00".join(primary for primary, _ in codes) + "000" + "".join(secondary for _, secondary in codes)


def vi_name_sort_key(full_name: str) -> str:
    """Vietnamese rosters sort by the given name (the last word), then the family and middle names."""
    words = unicodedata.normalize("NFC", full_name).split()
    if not words:
        return ""
    return vi_sort_key(words[-1]) + "0000" + vi_sort_key(" ".join(words[:-1]))


def vi_date(day: datetime.date | None) -> str:
    """A date as Vietnamese documents write it in running text: "04/12/2026" ("" for none)."""
    return day.strftime("%d/%m/%Y") if day else ""


_NUMBER = re.compile(r"\d+")
_NUMBER_WIDTH = 12


def vi_natural_key(text: str) -> str:
    """The key that lists organizations as a reader expects: Vietnamese dictionary order (``vi_sort_key``) with the
    numbers in a name compared as numbers, so "Chi bộ khu phố 2" comes before "Chi bộ khu phố 10" (and "ấp 1" before
    "ấp Tân Tiến"). ASCII, so it orders the same in Python and under any database collation."""
    return vi_sort_key(_NUMBER.sub(lambda match: match.group().zfill(_NUMBER_WIDTH), text or ""))


def format_number(value, places: int = 1) -> str:
    """A number shown to people, in the active language's format: "7,5", "110,5", "1.234" in Vietnamese ("7.5",
    "1,234" in English), rounded half up to ``places`` decimals, without trailing zeros ("8", not "8,0"); "—" for
    none. The one place numbers are formatted: the ``number`` template filter calls it."""
    if value is None or value == "":
        return "—"
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    digits = f"{rounded:f}"
    decimals = len(digits.split(".")[1].rstrip("0")) if "." in digits else 0
    return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)
