"""Decoding bytes: BOMs, UTF-8, detected legacy encodings, binary refusal, clear errors."""

import pytest

from cleantext import InputError, clean
from cleantext.decode import decode, decode_text


def test_utf8_with_bom_keeps_the_bom_as_a_character_and_the_cleaner_removes_it():
    data = "\ufeffKyiv\n".encode()
    assert decode(data) == ("\ufeffKyiv\n", "utf-8")
    result = clean(data)
    assert result.text == "Kyiv\n"
    assert result.edits[0].before == "\ufeff"


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_utf16_and_utf32_with_bom(codec):
    text, encoding = decode("Привет, Київ".encode(codec))
    assert text == "\ufeffПривет, Київ"
    assert encoding.startswith(codec)


def test_the_reported_encoding_reproduces_the_source_exactly():
    data = "\ufeffcafé\r\n".encode("utf-16")
    text, encoding = decode(data)
    assert data.decode(encoding) == text


def test_legacy_cyrillic_is_detected():
    sentence = "Президент України заявив, що Росія випустила понад сімдесят ракет по енергосистемі країни."
    text, encoding = decode(sentence.encode("cp1251"))
    assert text == sentence
    assert encoding.replace("-", "").lower() in ("windows1251", "cp1251")


def test_explicit_encoding_overrides_detection():
    assert decode("naïve".encode("latin-1"), encoding="latin-1") == ("naïve", "latin-1")


def test_unknown_encoding_is_refused():
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        decode(b"x", encoding="klingon")


def test_binary_input_is_refused_with_the_offset():
    with pytest.raises(InputError, match=r"binary content .* offset 4"):
        decode(b"\x89PNG\x00\x00\x00\rIHDR" + bytes(range(256)))


def test_undecodable_bytes_with_an_explicit_encoding_name_the_offset():
    with pytest.raises(InputError, match="byte 0xff at offset 3"):
        decode(b"abc\xffdef", encoding="utf-8")


def test_errors_replace_decodes_what_it_can():
    text, _ = decode(b"abc\xffdef", encoding="utf-8", errors="replace")
    assert text == "abc\ufffddef"


def test_errors_name_the_input():
    with pytest.raises(InputError, match=r"^photo\.png: binary content"):
        clean(b"\x00\x01\x02\x03binary", name="photo.png")


LEGACY = {
    "cp1252": "Café owners said the “crisis” cost them €2,000 — and more — this winter.",
    "latin-1": "Les élèves du collège ont réussi leur année; à Noël, la fête était réussie.",
    "koi8-r": "Президент заявил, что ракетный удар по энергосистеме был самым мощным в этом году.",
    "cp1251": "Президент заявил, что ракетный удар по энергосистеме был самым мощным в этом году.",
    "shift_jis": "ロシアはウクライナのエネルギー施設を攻撃し、首都の多くの建物で暖房が止まった。",
    "gb18030": "俄罗斯对乌克兰能源设施发动袭击，首都许多建筑停止供暖。",
}


@pytest.mark.parametrize("codec", sorted(LEGACY))
def test_legacy_encodings_decode_from_real_bytes(codec):
    text, encoding = decode(LEGACY[codec].encode(codec))
    assert text == LEGACY[codec]
    assert LEGACY[codec].encode(codec).decode(encoding) == text


def test_a_declared_charset_wins_over_detection():
    page = '<html><head><meta charset="windows-1251"><title>Тест</title></head><body>Привет</body></html>'
    assert decode(page.encode("cp1251")) == (page, "windows-1251")
    prolog = '<?xml version="1.0" encoding="koi8-r"?><doc>Привет мир</doc>'
    assert decode(prolog.encode("koi8-r")) == (prolog, "koi8-r")


def test_a_wrong_declaration_falls_back_to_the_bytes():
    page = '<meta charset="ascii"><p>Caf\u00e9</p>'
    assert decode(page.encode("utf-8")) == (page, "utf-8")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xc9t\xe9 \xe0 Qu\xe9bec, na\xefvet\xe9.\n", "Été à Québec, naïveté.\n"),
        (b"Stra\xdfe in M\xfcnchen\n", "Straße in München\n"),
        (b"l\x92h\xf4tel co\xfbte 5\x80.\n", "l’hôtel coûte 5€.\n"),
    ],
)
def test_short_western_text_prefers_windows_1252_over_rare_code_pages_and_says_it_guessed(data, expected):
    decoded = decode_text(data)
    assert (decoded.text, decoded.encoding) == (expected, "windows-1252")
    assert decoded.doubtful
    assert "encoding guessed as windows-1252" in decoded.warning("note.txt")
    with pytest.raises(InputError, match="the encoding is uncertain"):
        decode_text(data, errors="strict")
    result = clean(data, name="note.txt")
    assert result.text == expected.replace("\u2019", "'")  # quotes are normalized too
    assert any("note.txt: encoding guessed as windows-1252" in warning for warning in result.warnings)


def test_text_in_other_scripts_is_not_taken_for_windows_1252():
    polish = "Zażółć gęślą jaźń w Krakowie."
    assert decode_text(polish.encode("cp1250")).text == polish
    russian = "Привет, как дела? Это тест."
    assert decode_text(russian.encode("cp1251")).text == russian


def test_certain_encodings_carry_full_confidence():
    assert decode_text("café".encode()).confidence == 1.0
    assert decode_text(b"caf\xe9", encoding="latin-1").confidence == 1.0
    assert not clean("café".encode()).warnings
