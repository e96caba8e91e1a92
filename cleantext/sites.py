"""Site profiles: the lines that recur on many pages of one site, counted over a batch.

A site's template (its menu, footer, newsletter box, "Read more" line) is on
every page it serves; an article's own lines are on one. CCNet and C4 remove
such lines from web text by counting normalized lines across a corpus; a
:class:`SiteProfile` does the same per site, so that a line is judged by how
many pages *of its own site* hold it. ``cleantext profile`` writes one from a
batch; ``cleantext clean --profile FILE`` (``Pipeline.load(profile=...)``)
lets the ``site.repeated`` rule remove, with provenance, the lines a
document's site repeats on many pages.

Lines are compared normalized (:func:`line_key`): case, digits, punctuation
and spacing aside, so "© 2025 Example News" and "© 2026 Example News" are
one line. Only a hash of each line is kept, never its text. Profiles of parts
of a batch, made by different workers, add up (:meth:`SiteProfile.update`).

Example::

    >>> profile = SiteProfile()
    >>> for body in ("First story.", "Second story.", "Third story."):
    ...     profile.add("https://www.example.com/news/1", body + "\\nSign up for our newsletter\\n")
    >>> profile.pages("example.com"), profile.pages_with("example.com", "Sign up for our newsletter!")
    (3, 3)
    >>> profile.pages_with("example.com", "Second story.")
    1
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from cleantext.errors import RuleError
from cleantext.outputs import write_atomic

__all__ = ["PROFILE_FORMAT", "SiteProfile", "line_key", "site_of"]

PROFILE_FORMAT = "cleantext-site-profile"
"""The ``format`` field of a profile file; ``version`` is 1."""


def site_of(value: str) -> str:
    """The site of a URL or a domain: its host, lower-cased, without ``www.`` or a port.

    >>> site_of("https://www.Example.com:443/news/story?id=1")
    'example.com'
    >>> site_of("news.example.co.uk/path")
    'news.example.co.uk'
    >>> site_of("example-blog")
    'example-blog'
    """
    text = value.strip()
    host = urlsplit(text if "//" in text else "//" + text).hostname or text.lower()
    return host.removeprefix("www.")


def line_key(line: str) -> str | None:
    """The hash a line is counted by; None for a line with no letter or digit.

    The line is case-folded, every digit becomes 0, punctuation and symbols
    go, and runs of spaces become one, so that a date, a count or a quotation
    mark does not make one template line many.

    >>> line_key("Sign up for our newsletter!") == line_key("  SIGN UP for our newsletter ")
    True
    >>> line_key("© 2025 Example News") == line_key("© 2026 Example News")
    True
    >>> line_key("* * *") is None
    True
    """
    kept = []
    for character in line.casefold():
        category = unicodedata.category(character)
        if category == "Nd":
            kept.append("0")
        elif category[0] in "LNM":
            kept.append(character)
        elif category[0] == "Z" or character.isspace():
            kept.append(" ")
    normalized = " ".join("".join(kept).split())
    if not normalized:
        return None
    return hashlib.blake2b(normalized.encode("utf-8"), digest_size=8).hexdigest()


class SiteProfile:
    """Per site: how many pages were counted, and on how many of them each normalized line occurs."""

    __slots__ = ("_lines", "_pages")

    def __init__(self) -> None:
        self._pages: dict[str, int] = {}
        self._lines: dict[str, dict[str, int]] = {}

    def add(self, site: str, text: str) -> None:
        """Count one page of ``site`` (a URL or a domain): each distinct line of ``text`` once."""
        site = site_of(site)
        self._pages[site] = self._pages.get(site, 0) + 1
        counts = self._lines.setdefault(site, {})
        for key in {line_key(line) for line in text.split("\n")} - {None}:
            counts[key] = counts.get(key, 0) + 1  # type: ignore[index]

    def update(self, other: SiteProfile) -> SiteProfile:
        """Add the counts of ``other`` (a profile of another part of the batch) to these; returns self."""
        for site, pages in other._pages.items():
            self._pages[site] = self._pages.get(site, 0) + pages
        for site, lines in other._lines.items():
            counts = self._lines.setdefault(site, {})
            for key, count in lines.items():
                counts[key] = counts.get(key, 0) + count
        return self

    def pages(self, site: str) -> int:
        """How many pages of ``site`` were counted."""
        return self._pages.get(site_of(site), 0)

    def pages_with(self, site: str, line: str) -> int:
        """On how many counted pages of ``site`` the line occurs (normalized as :func:`line_key` does)."""
        key = line_key(line)
        return 0 if key is None else self._lines.get(site_of(site), {}).get(key, 0)

    def counts(self, site: str) -> dict[str, int]:
        """The line counts of ``site``, by line hash (read-only use)."""
        return self._lines.get(site_of(site), {})

    def sites(self) -> list[str]:
        """The sites counted, most pages first."""
        return sorted(self._pages, key=lambda site: (-self._pages[site], site))

    def to_dict(self) -> dict[str, object]:
        """The profile as plain data (the file format)."""
        return {
            "format": PROFILE_FORMAT,
            "version": 1,
            "sites": {
                site: {"pages": self._pages[site], "lines": dict(sorted(self._lines.get(site, {}).items()))}
                for site in sorted(self._pages)
            },
        }

    def save(self, path: str | Path) -> None:
        """Write the profile to ``path`` as JSON, atomically (a failed write leaves any old file as it was)."""
        write_atomic(Path(path), json.dumps(self.to_dict(), separators=(",", ":")) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> SiteProfile:
        """Read a profile file; :class:`~cleantext.errors.RuleError` naming the file when it is not one."""
        file = str(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise RuleError(f"cannot read the site profile ({error.strerror or error})", file=file) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RuleError(f"not a site profile: not valid JSON ({error})", file=file) from None
        return cls.from_dict(data, file=file)

    @classmethod
    def from_dict(cls, data: object, *, file: str | None = None) -> SiteProfile:
        """A profile from :meth:`to_dict`'s data, checked field by field."""
        if not isinstance(data, dict) or data.get("format") != PROFILE_FORMAT:
            raise RuleError(f'not a site profile: no "format": "{PROFILE_FORMAT}" field', file=file)
        if data.get("version") != 1:
            raise RuleError(f"site profile version {data.get('version')!r} is not supported (1 is)", file=file)
        sites = data.get("sites")
        if not isinstance(sites, dict):
            raise RuleError('a site profile needs a "sites" table', file=file)
        profile = cls()
        for site, entry in sites.items():
            pages = entry.get("pages") if isinstance(entry, dict) else None
            lines = entry.get("lines") if isinstance(entry, dict) else None
            if not isinstance(pages, int) or pages < 0 or not isinstance(lines, dict):
                raise RuleError(f"site {site!r}: needs a page count and a lines table", file=file)
            if not all(isinstance(count, int) and 0 < count <= pages for count in lines.values()):
                raise RuleError(f"site {site!r}: a line count is not a number of its pages", file=file)
            profile._pages[site] = pages
            profile._lines[site] = dict(lines)
        return profile

    @classmethod
    def merged(cls, profiles: Iterable[SiteProfile]) -> SiteProfile:
        """The sum of profiles of parts of a batch (workers, shards, earlier runs)."""
        total = cls()
        for profile in profiles:
            total.update(profile)
        return total

    @classmethod
    def of(cls, pages: Iterable[tuple[str, str]]) -> SiteProfile:
        """The profile of ``(site, text)`` pairs."""
        profile = cls()
        for site, text in pages:
            profile.add(site, text)
        return profile

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SiteProfile) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SiteProfile({len(self._pages)} sites, {sum(self._pages.values())} pages)"
