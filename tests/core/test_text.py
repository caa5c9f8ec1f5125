from __future__ import annotations

import codecs
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readinglist.core.errors import BadInput
from readinglist.core.latex import latex_accents_to_unicode
from readinglist.core.text import (
    decode,
    find_links,
    normalize_arxiv_id,
    normalize_doi,
    title_key,
)


def test_utf8_bom_and_crlf_are_removed():
    text = decode(codecs.BOM_UTF8 + "Title\r\n\r\nAbstract – here’s\r\n".encode())
    assert text == "Title\n\nAbstract – here’s\n"


def test_cp1252_decodes_quotes_and_dashes_without_c1_controls():
    data = "It’s a model – “quoted” café".encode("cp1252")
    text = decode(data)
    assert text == "It’s a model – “quoted” café"
    assert "\u0092" not in text and "\u0096" not in text


def test_latin1_only_bytes_decode():
    assert decode("Schrödinger naïve".encode("latin-1")) == "Schrödinger naïve"


def test_utf16_with_bom():
    assert decode("Ünïcode title\n".encode("utf-16")) == "Ünïcode title\n"


def test_mojibake_is_repaired():
    broken = "It’s café".encode().decode("cp1252")  # "Itâ€™s cafÃ©"
    assert decode(broken.encode()) == "It’s café"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
        (b"PK\x03\x04\x14\x00\x00\x00", "ZIP archive"),
        (b"\x1f\x8b\x08\x00\x00\x00", "gzip archive"),
        (b"some text\x00with NULs\x00", "NUL bytes"),
        (bytes(range(1, 9)) * 500, "control characters"),
    ],
)
def test_binary_input_is_refused_with_its_kind(data, kind):
    with pytest.raises(BadInput, match=kind):
        decode(data, name="x.bin")


def test_size_limit(monkeypatch):
    import readinglist.core.text as text_module

    monkeypatch.setattr(text_module, "MAX_IMPORT_BYTES", 100)
    with pytest.raises(BadInput, match="too large"):
        decode(b"a" * 101)


@pytest.mark.parametrize(
    ("latex", "unicode"),
    [
        (r"St\'ephane", "Stéphane"),
        (r"He{\ss}", "Heß"),
        (r"J. Er\"o", "J. Erö"),
        (r"{\"O}zge", "Özge"),
        (r"Aks{\i}n", "Aksın"),
        (r"{\c{C}}etinkaya", "Çetinkaya"),
        (r"Jes{\'{u}}s", "Jesús"),
        (r"T{\o}rresen", "Tørresen"),
        (r"\v{S}koda", "Škoda"),
        (r"Jo\~ao", "João"),
    ],
)
def test_latex_accents(latex, unicode):
    assert latex_accents_to_unicode(latex) == unicode


def test_latex_math_and_percent_survive():
    text = r"Order $\hbar$ and $\cdot$ at 50% with \lambda"
    assert latex_accents_to_unicode(text) == text


def test_title_key_ignores_case_punctuation_space_and_unicode_form():
    a = title_key("Caf\u00e9: Noise is  ALL you need!")
    b = title_key("cafe\u0301 -- noise is all you need")
    assert a == b == "cafe noise is all you need"
    assert title_key(r"Caf\'e: noise") == title_key("Café noise")


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_title_key_fast_ascii_path_agrees_with_the_unicode_path(title):
    # The bytes.translate shortcut for ASCII titles must give what the general
    # rule (case folded, runs of non-letters/digits one space) gives.
    general = re.sub(r"[\W_]+", " ", title.casefold()).strip()
    assert title_key(title) == (general if "\\" not in title else title_key(title))
    if "\\" not in title:
        # The non-ASCII path on the same text (an appended Cyrillic letter forces it).
        assert title_key(title + " \u0436").removesuffix("\u0436").strip() == general


def test_arxiv_ids_and_dois():
    assert normalize_arxiv_id("arXiv:2410.13842v3") == "2410.13842"
    assert normalize_arxiv_id("https://arxiv.org/abs/2410.13842v1") == "2410.13842"
    assert normalize_arxiv_id("acc-phys/9411002v2") == "acc-phys/9411002"
    assert normalize_arxiv_id("not an id") is None
    assert (
        normalize_doi("https://doi.org/10.1103/PhysRevD.76.013009") == "10.1103/PhysRevD.76.013009"
    )
    assert normalize_doi("nonsense") is None


def test_links_found_in_abstract():
    text = "Code: https://github.com/a/b. Project page (https://x.org/p) and github.com/c/d."
    assert find_links(text) == [
        "https://github.com/a/b",
        "https://x.org/p",
        "https://github.com/c/d",
    ]


def test_gbk_chinese_is_recognised():
    data = "@ARTICLE{凯撒2013,\n  author = {凯撒},\n  journal = {测试期刊}}\n".encode("gbk")
    assert "凯撒" in decode(data) and "测试期刊" in decode(data)


@pytest.mark.parametrize("text", ["Schrödinger naïve café", "Ärger über Öl", "façade – “quoted”"])
def test_western_text_is_not_taken_for_gbk(text):
    assert decode(text.encode("cp1252")) == text


def test_links_without_a_slash_are_found_too():
    # The quick "no '/' and no 'www.'" exit must not lose a bare www address.
    assert find_links("Demo at www.example.org. More soon.") == ["https://www.example.org"]
    assert find_links("No address here, just A/B tests.") == []
