"""Metadata found in removed text: author names and publication dates.

Removal rules capture them with the named groups ``author`` and ``published``;
dates become ISO 8601 where they can be read, and stay as written otherwise.

Example::

    >>> parse_date("February 3, 2026 \\u00b7 11:32 AM")
    '2026-02-03T11:32'
    >>> parse_date("Tue 3 Feb 2026 09.14 GMT")
    '2026-02-03T09:14Z'
    >>> clean_author("  Anthony   Solly, ")
    'Anthony Solly'
"""

from __future__ import annotations

import regex

__all__ = ["clean_author", "parse_date"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = r"(?:\D{1,5}?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:\s*(?P<ampm>[ap])\.?m\.?)?(?:\s*(?P<zone>gmt|utc|z)\b)?)?"
_DATE_FORMS = [
    regex.compile(rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}}){_TIME}", regex.IGNORECASE),
    regex.compile(rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}}){_TIME}", regex.IGNORECASE),
    regex.compile(rf"(?P<year>\d{{4}})-(?P<monthnumber>\d{{2}})-(?P<day>\d{{2}}){_TIME}", regex.IGNORECASE),
]


def parse_date(text: str) -> str:
    """An ISO 8601 date (with the time where given) for a news date line, or the text as written."""
    for form in _DATE_FORMS:
        match = form.search(text)
        if not match:
            continue
        parts = match.groupdict()
        month = int(parts["monthnumber"]) if parts.get("monthnumber") else _MONTHS[parts["month"].lower()]
        day, year = int(parts["day"]), int(parts["year"])
        if not (1 <= month <= 12 and 1 <= day <= 31):
            break
        iso = f"{year:04d}-{month:02d}-{day:02d}"
        if parts.get("hour"):
            hour, minute = int(parts["hour"]), int(parts["minute"])
            ampm = (parts.get("ampm") or "").lower()
            if ampm == "p" and hour < 12:
                hour += 12
            elif ampm == "a" and hour == 12:
                hour = 0
            if hour < 24 and minute < 60:
                iso += f"T{hour:02d}:{minute:02d}" + ("Z" if parts.get("zone") else "")
        return iso
    return " ".join(text.split())


def clean_author(text: str) -> str:
    """An author name without surrounding punctuation and with single spaces."""
    return " ".join(text.split()).strip(" ,;:|-\u2013\u2014")
