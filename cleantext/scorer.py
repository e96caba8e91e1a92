"""The learned line scorer: how likely a line is page furniture, from its words, its shape and its place.

The model is a logistic regression over hashed features, trained by
``learn/train_scorer.py`` (:func:`fit` and :func:`threshold_for`, with
numpy) on lines of real pages labeled content or furniture, and shipped as a
data file, ``rules/line-scorer.json``. It runs as the ``score`` kind of
step (rule ``scorer.boilerplate``, off by default): a line whose score
reaches the threshold is removed unless a guard finds it, and the edit's
``detail`` holds the score. Inference is plain Python: no model runtime is
needed.

The features of a line (:func:`line_features`):

- its words and word pairs, case-folded, and its character 3-grams;
- its shape: length in words, final character, digits, capitals, handles,
  e-mail and URL-like tokens, separators (``|``, ``•``, ``·``);
- its place: how far into the text it is, how many lines from either end,
  the length and ending of the lines before and after it, and how many of
  its words the rest of the text also uses.

Each feature is hashed (CRC-32) into :data:`BUCKETS` weights.

>>> scorer = LineScorer([0.0] * BUCKETS, bias=0.0, threshold=0.5)
>>> scorer.scores(["A line.", "Another line."])
[0.5, 0.5]
"""

from __future__ import annotations

import base64
import json
import math
import re
import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleantext.errors import RuleError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["BUCKETS", "MODEL_FORMAT", "LineScorer", "fit", "line_features", "threshold_for"]

MODEL_FORMAT = "cleantext-line-scorer"
BUCKETS = 1 << 16
"""How many weights the hashed features share."""

LEXICAL_PREFIXES = ("w:", "b:", "c:")
"""The features that name the line's own words and letters (the rest describe its shape and place)."""

_WORD = re.compile(r"\w+")
_URL = re.compile(r"https?://|www\.|\.(?:com|org|net|co\.uk)\b", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_LENGTHS = (0, 1, 2, 3, 5, 8, 12, 20, 40)


def _bucket(value: float, edges: Sequence[float]) -> int:
    for index, edge in enumerate(edges):
        if value <= edge:
            return index
    return len(edges)


def _ending(line: str) -> str:
    last = line.rstrip()[-1:]
    if not last:
        return "none"
    if last in ".!?:;,)\"'”’»":
        return last
    return "alnum" if last.isalnum() else "other"


def text_words(lines: Sequence[str]) -> Counter[str]:
    """On how many of ``lines`` each word (case-folded) occurs: what :func:`line_features` compares a line with."""
    return Counter(word for line in lines for word in set(_WORD.findall(line.casefold())))


def line_features(lines: Sequence[str], index: int, words_in: Counter[str] | None = None) -> list[str]:
    """The features of ``lines[index]`` among its neighbours (the non-blank lines of a text).

    ``words_in``: :func:`text_words` of ``lines``, when the caller scores many lines.

    >>> features = line_features(["Storm hits the coast", "Share this article"], 1)
    >>> "w:share" in features, "fromend:0" in features, "topic:0" in features
    (True, True, True)
    """
    if words_in is None:
        words_in = text_words(lines)
    line = lines[index]
    folded = line.casefold()
    words = _WORD.findall(folded)
    features = [f"w:{word}" for word in words]
    features += [f"b:{first} {second}" for first, second in pairwise(words)]
    squeezed = " " + " ".join(folded.split())[:200] + " "
    features += [f"c:{squeezed[i : i + 3]}" for i in range(len(squeezed) - 2)]
    raw_words = line.split()
    capitals = sum(word[:1].isupper() for word in raw_words)
    digits = sum(character.isdigit() for character in line)
    length = _bucket(len(words), _LENGTHS)
    ending = _ending(line)
    last = len(lines) - 1
    features += [
        f"len:{length}",
        f"end:{ending}",
        f"lenXend:{length}:{ending}",
        f"digits:{_bucket(digits / max(len(line), 1), (0, 0.05, 0.2, 0.5))}",
        f"caps:{_bucket(capitals / max(len(raw_words), 1), (0, 0.3, 0.6, 0.99))}",
        f"upper:{line.isupper()}",
        f"url:{bool(_URL.search(line))}",
        f"email:{bool(_EMAIL.search(line))}",
        f"handle:{bool(_HANDLE.search(line))}",
        f"sep:{'|' in line or '•' in line or '·' in line}",
        f"pos:{_bucket(index / max(last, 1), (0.05, 0.2, 0.5, 0.8, 0.95))}",
        f"fromstart:{min(index, 5)}",
        f"fromend:{min(last - index, 5)}",
        f"lenXedge:{length}:{min(index, 3)}:{min(last - index, 3)}",
        f"text:{_bucket(len(lines), (3, 10, 30, 100))}",
    ]
    # How much of the line the rest of the text speaks of: furniture is about the site, not the story.
    content = [word for word in words if len(word) > 3 and not word.isdigit()]
    if content:
        shared = sum(words_in[word] > 1 for word in content) / len(content)
        features.append(f"topic:{_bucket(shared, (0, 0.2, 0.5, 0.8, 0.99))}")
    else:
        features.append("topic:none")
    for side, other in (("prev", index - 1), ("next", index + 1)):
        if 0 <= other < len(lines):
            neighbour = lines[other]
            features.append(f"{side}len:{_bucket(len(neighbour.split()), _LENGTHS)}")
            features.append(f"{side}end:{_ending(neighbour)}")
        else:
            features.append(f"{side}:none")
    return features


def feature_ids(features: Iterable[str]) -> list[int]:
    """The weight each feature adds (its bucket)."""
    return [zlib.crc32(feature.encode("utf-8")) % BUCKETS for feature in features]


class LineScorer:
    """A trained model: a bias, :data:`BUCKETS` weights and the threshold chosen for it.

    :meth:`scores` gives each line's probability of being furniture;
    ``about`` records how the model was trained (script, data checksum,
    the figures on the tuning split).
    """

    __slots__ = ("about", "bias", "threshold", "weights")

    def __init__(
        self, weights: Sequence[float], bias: float, threshold: float, about: dict[str, Any] | None = None
    ) -> None:
        if len(weights) != BUCKETS:
            raise ValueError(f"a line scorer has {BUCKETS} weights, not {len(weights)}")
        if not 0 < threshold < 1:
            raise ValueError(f"a line scorer's threshold is a probability between 0 and 1, not {threshold}")
        if not math.isfinite(bias) or not all(map(math.isfinite, weights)):
            raise ValueError("a line scorer's weights and bias must be finite numbers")
        self.weights = array("f", weights)
        self.bias = float(bias)
        self.threshold = float(threshold)
        self.about = dict(about or {})

    def score(self, lines: Sequence[str], index: int, words_in: Counter[str] | None = None) -> float:
        """How likely ``lines[index]`` is page furniture (0 to 1)."""
        weights = self.weights
        total = self.bias + sum(weights[bucket] for bucket in feature_ids(line_features(lines, index, words_in)))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))

    def scores(self, lines: Sequence[str], indexes: Iterable[int] | None = None) -> list[float]:
        """The score of each line of ``lines`` (or of those at ``indexes``)."""
        words_in = text_words(lines)
        return [self.score(lines, index, words_in) for index in (range(len(lines)) if indexes is None else indexes)]

    def to_dict(self) -> dict[str, Any]:
        """The model file's content: weights as little-endian float32, base64."""
        data = array("f", self.weights)
        if data.itemsize != 4:  # pragma: no cover - every platform CPython runs on
            raise RuntimeError("float32 weights expected")
        if sys.byteorder == "big":  # pragma: no cover - the file is little-endian everywhere
            data.byteswap()
        return {
            "format": MODEL_FORMAT,
            "version": 1,
            "buckets": BUCKETS,
            "bias": self.bias,
            "threshold": self.threshold,
            "about": self.about,
            "weights": base64.b64encode(data.tobytes()).decode("ascii"),
        }

    def save(self, path: str | Path) -> None:
        """Write the model as JSON (the weights on one line, the rest readable)."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=1, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> LineScorer:
        """Read a model file; :class:`~cleantext.errors.RuleError` naming it when it is not one.

        The pipelines of a process share the scorer of one file (read again
        when the file changes): treat it as read-only.
        """
        resolved = Path(path).resolve()
        try:
            stat = resolved.stat()
        except OSError as error:
            raise RuleError(f"cannot read the line scorer model ({error.strerror or error})", file=str(path)) from None
        return _load(str(resolved), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load(path: str, modified: int, size: int) -> LineScorer:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RuleError(f"cannot read the line scorer model ({error})", file=path) from None
    if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT or data.get("buckets") != BUCKETS:
        raise RuleError(f"not a {MODEL_FORMAT} model of {BUCKETS} buckets", file=path)
    try:
        weights = array("f")
        weights.frombytes(base64.b64decode(data["weights"], validate=True))
        if sys.byteorder == "big":  # pragma: no cover - the file is little-endian everywhere
            weights.byteswap()
        return LineScorer(weights, data["bias"], data["threshold"], data.get("about"))
    except (KeyError, TypeError, ValueError) as error:
        raise RuleError(f"a damaged line scorer model ({error})", file=path) from None


# Training: numpy is needed here only (pip install 'cleantext-toolkit[learn]').

EPOCHS = 6
BATCH = 4096
RATE = 0.5
L2 = 1e-6


def encode(pages: Iterable[Sequence[str]], keep: frozenset[str] | None = None) -> tuple[list[int], list[int]]:
    """The feature ids of every line of ``pages`` (each a list of lines), flat, and where each line's start.

    ``keep``: the lexical features to keep (the others of :data:`LEXICAL_PREFIXES` are dropped); None keeps all.
    """
    ids: list[int] = []
    offsets = [0]
    for lines in pages:
        words_in = text_words(lines)
        for index in range(len(lines)):
            features = line_features(lines, index, words_in)
            if keep is not None:
                features = [f for f in features if not f.startswith(LEXICAL_PREFIXES) or f in keep]
            ids.extend(feature_ids(features))
            offsets.append(len(ids))
    return ids, offsets


def probabilities(weights: np.ndarray, bias: float, ids: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The model's probability of furniture for every line (``ids`` and ``offsets`` as :func:`encode` gives)."""
    import numpy as np

    sums = np.add.reduceat(weights[ids], offsets[:-1]) + bias if len(offsets) > 1 else np.zeros(0)
    return 1.0 / (1.0 + np.exp(-np.clip(sums, -30, 30)))


def fit(ids: np.ndarray, offsets: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic regression by mini-batch AdaGrad with L2, lines in their given order: the same data, the same model.

    ``labels``: 1 for furniture, 0 for content, per line.
    """
    import numpy as np

    weights = np.zeros(BUCKETS)
    bias = 0.0
    squares = np.full(BUCKETS, 1e-8)
    bias_square = 1e-8
    count = len(labels)
    for _ in range(EPOCHS):
        for start in range(0, count, BATCH):
            stop = min(start + BATCH, count)
            low = offsets[start]
            batch_ids = ids[low : offsets[stop]]
            lengths = np.diff(offsets[start : stop + 1])
            sums = np.add.reduceat(weights[batch_ids], offsets[start:stop] - low) + bias
            error = 1.0 / (1.0 + np.exp(-np.clip(sums, -30, 30))) - labels[start:stop]
            gradient = np.bincount(batch_ids, weights=np.repeat(error, lengths), minlength=BUCKETS) / (stop - start)
            gradient += L2 * weights
            squares += gradient**2
            weights -= RATE * gradient / np.sqrt(squares)
            bias_gradient = float(error.mean())
            bias_square += bias_gradient**2
            bias -= RATE * bias_gradient / math.sqrt(bias_square)
    return weights, bias


def threshold_for(scores: np.ndarray, labels: np.ndarray, content_kept: float) -> dict[str, float]:
    """The lowest threshold (at least 0.5) that keeps ``content_kept`` of the content lines, and what it removes.

    >>> import numpy as np
    >>> figures = threshold_for(np.array([0.1, 0.2, 0.9, 0.95]), np.array([0, 0, 1, 1]), 0.99)
    >>> figures["content_kept"], figures["furniture_removed"]
    (1.0, 1.0)
    """
    import numpy as np

    if not 0 < content_kept <= 1:
        raise ValueError(f"content_kept is a share of the content lines, more than 0 and at most 1, not {content_kept}")
    content = np.sort(scores[labels == 0])
    # Lines at or above the threshold go: at most (1 - content_kept) of the content may score that high.
    allowed = int(np.floor((1 - content_kept) * len(content)))
    threshold = float(content[len(content) - allowed - 1]) + 1e-6 if len(content) else 0.5
    threshold = min(max(threshold, 0.5), 0.999999)
    removed = scores >= threshold
    furniture = labels == 1
    return {
        "threshold": round(threshold, 6),
        "content_kept": round(float(1 - removed[~furniture].mean()) if (~furniture).any() else 1.0, 6),
        "furniture_removed": round(float(removed[furniture].mean()) if furniture.any() else 0.0, 6),
        "lines": len(labels),
    }
