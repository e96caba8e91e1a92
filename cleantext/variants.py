"""Find spellings of one name across a corpus and propose them as a lexicon.

Capitalized words are grouped by a transliteration-aware key (diacritics
dropped; kh/h, ts/c, ph/f, q/k, w/v, dh/d; the endings -y, -i, -iy, -yy, -yi
folded; doubled letters collapsed), then groups whose keys differ by two
neighbouring letters swapped inside the word (a typo such as "Zelenksy") are
joined. Capitalized words that the corpus also uses in lower case ("More",
"Waiting") are ordinary words at the start of a sentence, not names, and are
left out. Curly and straight apostrophes count as one.

Example::

    >>> counts = count_names(["Zelensky met Zelenskyy's aides; Zelensky, Zelenskiy and Zelenksy spoke."])
    >>> [(c.canonical, c.variants) for c in find_clusters(counts)]
    [('Zelensky', ('Zelenksy', 'Zelenskiy', 'Zelenskyy'))]
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import regex

from cleantext.parallel import batched, bounded_map

__all__ = ["Cluster", "count_names", "find_clusters", "lexicon_toml", "transliteration_key"]

_NAME = regex.compile(r"(?<![\w'’-])\p{Lu}[\p{Ll}\p{M}]+(?:[-'’]\p{Lu}?[\p{Ll}\p{M}]+)*(?![\w-])")
_POSSESSIVE = regex.compile(r"['’]s$")
_LOWER_WORD = regex.compile(r"(?<![\w'-])\p{Ll}[\p{Ll}\p{M}'-]*")
_FOLDS = [
    (regex.compile(r"(?:iy|yy|yi|ij|ii|y)$"), "i"),
    (regex.compile(r"kh"), "h"),
    (regex.compile(r"zh"), "j"),
    (regex.compile(r"(?:ts|tz)"), "c"),
    (regex.compile(r"sch"), "sh"),
    (regex.compile(r"ph"), "f"),
    (regex.compile(r"dh"), "d"),
    (regex.compile(r"ck"), "k"),
    (regex.compile(r"q"), "k"),
    (regex.compile(r"w"), "v"),
    (regex.compile(r"y"), "i"),
    (regex.compile(r"(.)\1+"), r"\1"),
]
_SPECIAL = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe"})


def transliteration_key(word: str) -> str:
    """The key that spellings of one name share.

    >>> [transliteration_key(w) for w in ("Zelenskyy", "Zelenskiy", "Zelensky", "Erdoğan", "Kharkov")]
    ['zelenski', 'zelenski', 'zelenski', 'erdogan', 'harkov']
    """
    key = unicodedata.normalize("NFKD", word.casefold().translate(_SPECIAL))
    key = "".join(ch for ch in key if not unicodedata.combining(ch) and ch.isalnum())
    for pattern, replacement in _FOLDS:
        key = pattern.sub(replacement, key)
    return key


def count_names(texts: Iterable[str], *, jobs: int = 1) -> Counter[str]:
    """How often each capitalized word (possessive dropped) occurs in ``texts``.

    Words the texts also write in lower case are ordinary words, not names, and
    are left out. ``jobs > 1`` counts in that many worker processes.
    """
    if jobs > 1:
        batches = bounded_map(_tally_batch, batched(texts, 16), jobs=jobs)
        return _names_of(tally for _, tallies in batches for tally in tallies)
    return _names_of(map(_tally, texts))


def _tally_batch(texts: list[str]) -> list[tuple[Counter[str], set[str]]]:
    return [_tally(text) for text in texts]


def _names_of(tallies: Iterable[tuple[Counter[str], set[str]]]) -> Counter[str]:
    """The texts' tallies added up, less the words any text writes in lower case."""
    counts: Counter[str] = Counter()
    lower: set[str] = set()
    for text_counts, text_lower in tallies:
        counts.update(text_counts)
        lower.update(text_lower)
    return Counter({word: n for word, n in counts.items() if word.lower() not in lower})


def _tally(text: str) -> tuple[Counter[str], set[str]]:
    """The capitalized words of one text with their counts, and its lower-case words."""
    text = text.replace("\u2019", "'")
    counts: Counter[str] = Counter()
    for match in _NAME.finditer(text):
        word = _POSSESSIVE.sub("", match.group())
        if len(word) >= 4:
            counts[word] += 1
    return counts, set(_LOWER_WORD.findall(text))


@dataclass(frozen=True)
class Cluster:
    """Spellings that probably name one thing: the most frequent one first."""

    canonical: str
    variants: tuple[str, ...]
    counts: Mapping[str, int]

    def describe(self) -> str:
        """One line: ``Zelensky (12) <- Zelenskyy (5), Zelenksy (1)``."""
        others = ", ".join(f"{v} ({self.counts[v]})" for v in self.variants)
        return f"{self.canonical} ({self.counts[self.canonical]}) <- {others}"


def find_clusters(counts: Mapping[str, int], *, min_typo_length: int = 6) -> list[Cluster]:
    """Clusters of two or more spellings, most frequent clusters first."""
    by_key: dict[str, set[str]] = {}
    for word in counts:
        by_key.setdefault(transliteration_key(word), set()).add(word)
    parent = {key: key for key in by_key}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    # Typos: join keys that differ by one swap of neighbouring letters inside the
    # word. Keys are bucketed by length and first letter, so the comparison stays small.
    buckets: dict[tuple[int, str], list[str]] = {}
    for key in by_key:
        if len(key) >= min_typo_length:
            buckets.setdefault((len(key), key[0]), []).append(key)
    for keys in buckets.values():
        keys.sort()
        for i, first in enumerate(keys):
            for second in keys[i + 1 :]:
                if _one_inner_swap(first, second):
                    parent[root(second)] = root(first)
    groups: dict[str, set[str]] = {}
    for key, words in by_key.items():
        groups.setdefault(root(key), set()).update(words)
    clusters = []
    for words in groups.values():
        if len(words) < 2:
            continue
        ordered = sorted(words, key=lambda w: (-counts[w], w))
        clusters.append(Cluster(ordered[0], tuple(sorted(ordered[1:])), {w: counts[w] for w in ordered}))
    return sorted(clusters, key=lambda c: (-sum(c.counts.values()), c.canonical))


def _one_inner_swap(first: str, second: str) -> bool:
    """Whether two keys of one length differ by one swap of neighbours, not at either end."""
    differences = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
    if len(differences) != 2:
        return False
    i, j = differences
    return j == i + 1 and i > 0 and j < len(first) - 1 and first[i] == second[j] and first[j] == second[i]


def lexicon_toml(clusters: Iterable[Cluster], *, pack: str = "variants") -> str:
    """A rule pack with one lexicon rule per cluster, ready for ``--rules``."""
    lines = [
        "# Proposed by 'cleantext variants': review each entry before use.",
        "[pack]",
        f'name = "{pack}"',
        'description = "Name variants found in a corpus"',
        "",
    ]
    used: set[str] = set()
    for cluster in clusters:
        slug = regex.sub(r"[^a-z0-9]+", "-", transliteration_key(cluster.canonical)).strip("-") or "name"
        while slug in used:
            slug += "-x"
        used.add(slug)
        variant = cluster.variants[0]
        lines += [
            "[[rule]]",
            f'id = "{pack}.{slug}"',
            'category = "names"',
            'kind = "lexicon"',
            f"canonical = {_quote(cluster.canonical)}",
            f"variants = [{', '.join(_quote(v) for v in cluster.variants)}]",
            f"description = {_quote(cluster.describe())}",
            "",
            "[[rule.example]]",
            f"input = {_quote(f'They met {variant} on Monday.' + chr(10))}",
            f"output = {_quote(f'They met {cluster.canonical} on Monday.' + chr(10))}",
            "",
            "[[rule.example]]",
            f"input = {_quote(f'They met {cluster.canonical} on Monday.' + chr(10))}",
            f"output = {_quote(f'They met {cluster.canonical} on Monday.' + chr(10))}",
            "",
        ]
    return "\n".join(lines)


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
