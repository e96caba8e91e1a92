"""The decode stage: bytes to text, never silently lossy, with the encoding reported.

Order: an explicit encoding; a byte-order mark; a charset the document declares
(HTML ``<meta charset>``, an XML prolog); strict UTF-8; detection with chardet.
A BOM stays in the text as U+FEFF so source offsets cover every character (the
whitespace pack removes it from the output). Binary input and
bytes that no candidate decodes are refused with an :class:`InputError`.

Detection is conservative: on short input chardet's guesses are close to
random among code pages (MacCyrillic for French, MacTurkish for German), so
unless it is confident, Latin text that Windows-1252 decodes plausibly is read
as Windows-1252. Every guess carries a confidence; below
:data:`LOW_CONFIDENCE` the caller warns (``errors="warn"``, the default) or
refuses (``errors="strict"``).

Example::

    >>> decode(b"\\xef\\xbb\\xbfcaf\\xc3\\xa9")
    ('\\ufeffcafé', 'utf-8')
    >>> decode("Привет".encode("utf-16"))
    ('\\ufeffПривет', 'utf-16-le')
    >>> decoded = decode_text(b"Stra\\xdfe in M\\xfcnchen\\n")
    >>> decoded.text, decoded.encoding, decoded.confidence < LOW_CONFIDENCE
    ('Straße in München\\n', 'windows-1252', True)
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple

import chardet

from cleantext.errors import InputError

__all__ = [
    "ERRORS",
    "LOW_CONFIDENCE",
    "Decoded",
    "decode",
    "decode_chunks",
    "decode_text",
    "refuse_binary_head",
    "stream_encoding",
]

STREAM_CHUNK_BYTES = 1 << 20

ERRORS = ("warn", "strict", "replace")
"""What to do with doubtful bytes: ``warn`` (default) refuses undecodable bytes and warns about a
low-confidence guess; ``strict`` refuses both; ``replace`` decodes undecodable bytes as U+FFFD."""

LOW_CONFIDENCE = 0.2
"""A detected encoding with a confidence below this is a guess the user is warned about."""

_CONFIDENT = 0.5
"""Above this, chardet's first choice stands even where Windows-1252 would also read the bytes."""

_WESTERN = ("windows-1252", "iso-8859-1", "iso8859-15", "iso-8859-15", "latin-1")
# Non-ASCII characters of Western European text read as Windows-1252: letters,
# and the punctuation, currency and symbols that such text uses.
_WESTERN_SYMBOLS = frozenset("\u00a0“”‘’‚„–—…€£¥¢°§©®™«»·•¡¿±×÷¼½¾¹²³µ¶ªº¬¦¨´¸¯")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BINARY_CONTROLS = bytes(range(0, 9)) + bytes(range(14, 27)) + bytes(range(28, 32))
_SAMPLE = 64 * 1024
_DECLARATION_WINDOW = 4096
_DECLARED = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{2,40})|<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""",
    re.IGNORECASE,
)


class Decoded(NamedTuple):
    """Decoded text, the encoding that gave it, and how sure that choice is (1.0: certain, not guessed)."""

    text: str
    encoding: str
    confidence: float

    @property
    def doubtful(self) -> bool:
        """Whether the encoding is a low-confidence guess the user should hear of."""
        return self.confidence < LOW_CONFIDENCE

    def warning(self, name: str | None) -> str:
        """The message that names the input, the guess and its confidence."""
        return (
            f"{name or 'the input'}: encoding guessed as {self.encoding} (confidence {self.confidence:.2f}, low); "
            "pass --encoding NAME if the text looks wrong"
        )


def decode(data: bytes, *, encoding: str | None = None, errors: str = "warn") -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``; raise :class:`InputError` if it is not text.

    ``errors`` is one of :data:`ERRORS`; see :func:`decode_text` for the confidence of a guess.
    """
    text, name, _ = decode_text(data, encoding=encoding, errors=errors)
    return text, name


def decode_text(data: bytes, *, encoding: str | None = None, errors: str = "warn") -> Decoded:
    """Decode ``data``; raise :class:`InputError` if it is not text.

    ``errors="replace"`` decodes what it can and puts U+FFFD for the rest,
    instead of refusing; ``errors="strict"`` also refuses an encoding that is
    only a low-confidence guess. The confidence is 1.0 for an encoding that was
    given, marked, declared or is valid UTF-8.
    """
    if errors not in ERRORS:
        raise ValueError(f"errors must be one of {', '.join(ERRORS)}, not {errors!r}")
    decoded = _decode(data, encoding, errors)
    if decoded.doubtful and errors == "strict":
        raise InputError(
            f"the encoding is uncertain (best guess {decoded.encoding}, confidence {decoded.confidence:.2f}); "
            "pass --encoding NAME, or --errors warn to accept the guess"
        )
    return decoded


def _decode(data: bytes, encoding: str | None, errors: str) -> Decoded:
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}") from None
        if not _is_text_encoding(codec):
            raise InputError(f"{encoding!r} is not a text encoding (it turns bytes into bytes, or text into text)")
        return Decoded(_decode_as(data, encoding, errors), encoding, 1.0)
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoded(_decode_as(data, name, errors), name, 1.0)
    declared = _declared_charset(data)
    if declared:
        try:
            text = data.decode(declared)
        except UnicodeDecodeError:
            pass  # a wrong declaration is common; fall back to the bytes themselves
        else:
            _refuse_binary_text(text)
            return Decoded(text, declared, 1.0)
    utf16 = _utf16_without_bom(data) if b"\x00" in data[:_SAMPLE] else None
    if utf16 is not None:
        return Decoded(*utf16, 1.0)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        utf8_error = error
    else:
        _refuse_binary_text(text)
        return Decoded(text, "utf-8", 1.0)
    valid_utf8, broken_utf8 = _utf8_counts(data)
    if valid_utf8 and broken_utf8 <= valid_utf8:
        # Valid UTF-8 with a few broken bytes: a legacy codec would turn every
        # good character into mojibake, so the broken byte is the error.
        if errors == "replace":
            return Decoded(data.decode("utf-8", errors="replace"), "utf-8", 1.0)
        raise InputError(
            f"invalid UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}) in text that is "
            "otherwise UTF-8; pass --errors replace to keep the rest, or --encoding NAME"
        )
    _refuse_binary_bytes(data)
    guess = _guess_legacy(data[:_SAMPLE])
    if guess is not None:
        name, confidence = guess
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            # Some valid UTF-8 among legacy bytes: either reading may be wrong.
            return Decoded(text, name, min(confidence, LOW_CONFIDENCE / 2) if valid_utf8 else confidence)
    if errors == "replace":
        return Decoded(data.decode("utf-8", errors="replace"), "utf-8", 1.0)
    raise InputError(
        f"not valid UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}) "
        "and no other encoding fits; pass --encoding NAME or --errors replace"
    )


def _guess_legacy(sample: bytes) -> tuple[str, float] | None:
    """The legacy encoding of bytes that are not UTF-8, with its confidence, or None when chardet has none.

    Among near-equal candidates a common code page wins over a Mac one; a
    low-confidence guess outside the Western family gives way to
    Windows-1252 when that reads the bytes as plausible Latin text.
    """
    candidates = [
        ((found.get("encoding") or "").lower(), float(found.get("confidence") or 0.0))
        for found in chardet.detect_all(sample)
    ]
    candidates = [(name, confidence) for name, confidence in candidates if name and name not in ("ascii", "utf-8")]
    if not candidates:
        return None
    best_confidence = candidates[0][1]
    near = [(name, confidence) for name, confidence in candidates if confidence >= best_confidence * 0.98]
    name, confidence = next((c for c in near if not c[0].startswith("mac")), candidates[0])
    if name in _WESTERN:
        return "windows-1252" if _plausible_western(sample) else name, confidence
    if confidence < _CONFIDENT and _plausible_western(sample):
        western = max((c for n, c in candidates if n in _WESTERN), default=0.0)
        return "windows-1252", min(western, confidence)
    return name, confidence


def _plausible_western(sample: bytes) -> bool:
    """Whether Windows-1252 reads the bytes as Western European text: accented letters among plain ones.

    Text in another script read as Windows-1252 is mostly non-ASCII letters
    in long runs ("Ïðèâåò"); French or German has a few, one or two at a time.
    """
    try:
        text = sample.decode("windows-1252")
    except UnicodeDecodeError:
        return False
    letters = foreign = run = 0
    for index, character in enumerate(text):
        if character.isascii():
            letters += character.isalpha()
            run = 0
        elif character.isalpha():
            letters += 1
            foreign += 1
            run += 1
            if run > 3:
                return False
        elif character in _WESTERN_SYMBOLS:
            run = 0
            # "Za¿ó³æ": Polish read so puts signs inside words; Latin text has only apostrophes there.
            inside_word = 0 < index < len(text) - 1 and text[index - 1].isalpha() and text[index + 1].isalpha()
            if inside_word and character not in "’‘·":
                return False
        else:
            return False
    return foreign > 0 and foreign * 2 <= letters


def stream_encoding(stream: BinaryIO, *, encoding: str | None = None) -> str | None:
    """The encoding a long input can be decoded with piece by piece, or None when only :func:`decode` can tell.

    Reads the whole stream: the encoding :func:`decode` would pick from the
    first bytes (the given one, a byte-order mark, a declared charset, else
    UTF-8) must decode all of it, strictly and without a NUL, so that cleaning
    never has to refuse an input it has started to write out. Anything else
    (legacy bytes, UTF-16 without a mark, broken bytes, binary) is None: the
    caller decodes the whole input with :func:`decode`, which refuses or
    detects as usual.
    """
    head = stream.read(STREAM_CHUNK_BYTES)
    if encoding is None:
        encoding = next((name for bom, name in _BOMS if head.startswith(bom)), None)
    if encoding is None:
        encoding = _declared_charset(head)
    if encoding is None:
        if b"\x00" in head[:_SAMPLE]:
            return None
        encoding = "utf-8"
    try:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
    except LookupError:
        return None
    if not _is_text_encoding(codecs.lookup(encoding)):
        return None
    chunk = head
    try:
        while True:
            # A short read is not the end of a decompressing stream; an empty one is.
            final = not chunk
            if "\x00" in decoder.decode(chunk, final):
                return None
            if final:
                return encoding
            chunk = stream.read(STREAM_CHUNK_BYTES)
    except UnicodeDecodeError:
        return None


def decode_chunks(stream: BinaryIO, encoding: str) -> Iterator[str]:
    """The text of ``stream`` in pieces, decoded strictly with ``encoding`` (see :func:`stream_encoding`)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    while True:
        chunk = stream.read(STREAM_CHUNK_BYTES)
        final = not chunk
        text = decoder.decode(chunk, final)
        if text:
            yield text
        if final:
            return


def _utf8_counts(data: bytes) -> tuple[int, int]:
    """How many valid multi-byte UTF-8 characters and how many broken sequences the first bytes hold.

    More valid than broken (and some valid) is text that is mostly UTF-8.
    """
    sample = data[:_SAMPLE]
    decoded = sample.decode("utf-8", errors="replace")
    broken = decoded.count("\ufffd") - sample.count("\ufffd".encode())
    valid = sum(1 for character in decoded if ord(character) > 127 and character != "\ufffd")
    return valid, broken


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a byte-order mark, told by the zero bytes of its ASCII characters."""
    sample = data[:_SAMPLE]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    for high, low, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        # The high bytes of one script's letters take one or two values (0x00
        # for ASCII, 0x04 for Cyrillic ...); the low bytes are almost never 0.
        common = sum(count for _, count in Counter(high).most_common(2))
        if 0 in high and common >= 0.9 * len(high) and low.count(0) <= 0.02 * len(low):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return None
            if all(c.isprintable() or c in "\n\r\t" for c in text[:_SAMPLE]):
                return text, codec
    return None


def _declared_charset(data: bytes) -> str | None:
    match = _DECLARED.search(data[:_DECLARATION_WINDOW])
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii").lower()
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return None
    # A page that declares "base64" or "rot13" is not in that codec; ignore it.
    return name if _is_text_encoding(codec) else None


def _is_text_encoding(codec: codecs.CodecInfo) -> bool:
    """Whether a codec decodes bytes to text (not base64, hex, zlib, rot13, ...)."""
    return getattr(codec, "_is_text_encoding", True)


def _decode_as(data: bytes, encoding: str, errors: str) -> str:
    try:
        return data.decode(encoding, errors="replace" if errors == "replace" else "strict")
    except UnicodeDecodeError as error:
        raise InputError(
            f"not valid {encoding} (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "pass another --encoding or --errors replace"
        ) from None


def refuse_binary_head(head: bytes) -> None:
    """Raise :class:`InputError` when the first bytes of an input are binary, before the rest is read.

    NUL bytes are binary unless a byte-order mark or their pattern says UTF-16
    or UTF-32 (a run of zeros unpacked from a small archive is not text).

    >>> refuse_binary_head("Kyiv".encode("utf-16-le"))
    >>> refuse_binary_head(bytes(64))
    Traceback (most recent call last):
    ...
    cleantext.errors.InputError: binary content (NUL byte at offset 0); not text
    """
    sample = head[:_SAMPLE]
    position = sample.find(b"\x00")
    if position < 0 or any(sample.startswith(bom) for bom, _ in _BOMS):
        return
    if len(sample) % 2:
        sample = sample[:-1]  # a chunk may end inside a UTF-16 character
    if _utf16_without_bom(sample) is not None:
        return
    raise InputError(f"binary content (NUL byte at offset {position}); not text")


def _refuse_binary_bytes(data: bytes) -> None:
    sample = data[:_SAMPLE]
    if b"\x00" in sample or sum(sample.count(c) for c in _BINARY_CONTROLS[:8]) > len(sample) // 100 + 1:
        offset = next(i for i, byte in enumerate(sample) if byte in _BINARY_CONTROLS)
        raise InputError(f"binary content (control byte 0x{sample[offset]:02x} at offset {offset}); not text")


def _refuse_binary_text(text: str) -> None:
    position = text.find("\x00", 0, _SAMPLE)
    if position >= 0:
        raise InputError(f"binary content (NUL byte at offset {len(text[:position].encode('utf-8'))}); not text")
