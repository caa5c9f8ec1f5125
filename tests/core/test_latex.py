"""readinglist.core.latex: LaTeX to text (fast path, pylatexenc, display, readable) and back."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from readinglist.core.latex import (
    braces_balanced,
    display_text,
    latex_accents_to_unicode,
    latex_to_text,
    math_to_text,
    readable_text,
    to_ascii,
)
from readinglist.core.text import decode

from support import CORPORA, corpus

# Commands the fast path knows: accents and the special letters (not \i and \j:
# under an accent the fast path keeps the dotless letter, pylatexenc does not).
_SYMBOL_ACCENTS = "'`^\"~=."
_LETTER_ACCENTS = "uvHckrdb"
_ACCENTS = set(_SYMBOL_ACCENTS + _LETTER_ACCENTS)
_LETTERS = {"ss", "o", "O", "aa", "AA", "ae", "AE", "oe", "OE", "l", "L"}


def _entries(path: Path) -> list[Any]:
    # bibtexparser logs every broken block of these deliberately odd files.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    return list(bibtexparser.parse_string(decode(path.read_bytes())).entries)


def _fields(name: str) -> dict[str, dict[str, str]]:
    """The raw (undecoded) field values of a shared corpus file, by entry key."""
    entries = _entries(corpus(f"bibtex/{name}"))
    return {e.key: {f.key.lower(): str(f.value) for f in e.fields} for e in entries}


# --- the fast path, on names and titles from real files ---------------------------------


@pytest.mark.parametrize(
    ("name", "key", "field", "expected"),
    [
        (
            "biblatex__biblatex-examples.bib",
            "aksin",
            "author",
            "Aksın, Özge and Türkmen, Hayati and Artok, Levent and Çetinkaya, Bekir and Ni,"
            " Chaoying and Büyükgüngör, Orhan and Özkal, Erhan",
        ),
        (
            "biblatex__biblatex-examples.bib",
            "nietzsche:ksa1",
            "title",
            "Die Geburt der Tragödie. Unzeitgemäße Betrachtungen I--IV. Nachgelassene"
            " Schriften 1870--1973",
        ),
        ("biber__names.bib", "L21", "author", "Šomeone Smith"),
        # No precomposed Z with tilde: the letter and the combining mark stay two.
        ("biber__names.bib", "L31", "author", "Z\u0303elly, Arthur"),
    ],
)
def test_accents_in_corpus_fields(name, key, field, expected):
    raw = " ".join(_fields(name)[key][field].split())
    assert latex_accents_to_unicode(raw) == expected


def test_accents_leave_math_percent_and_other_commands():
    text = r"Le \emph{De Anima} at 5\% with $\hat{\Sigma}$ and \cite{k}"
    assert latex_accents_to_unicode(text) == text


def test_accents_keep_ascii_braces_and_drop_braces_around_one_converted_letter():
    assert latex_accents_to_unicode(r"{\'E}cole {BERT}") == "École {BERT}"


def _accent_only_values() -> list[str]:
    values = []
    for path in sorted((CORPORA / "bibtex").glob("*.bib")):
        for entry in _entries(path):
            for field in entry.fields:
                value = " ".join(str(field.value).split())
                commands = set(re.findall(r"\\([A-Za-z]+|.)", value))
                # -- and ~ are TeX ligatures and spaces, which only the full decoder reads.
                if commands and commands <= _ACCENTS | _LETTERS and not re.search("--|~", value):
                    values.append(value)
    return values


def test_fast_path_agrees_with_pylatexenc_on_the_corpus_accents():
    values = _accent_only_values()
    if not values:
        pytest.skip(f"no BibTeX corpus under {CORPORA / 'bibtex'} (../shared absent)")
    assert len(values) > 100  # the corpus has about 190; fewer means the filter broke
    for value in values:
        fast = latex_accents_to_unicode(value).replace("{", "").replace("}", "")
        assert fast == latex_to_text(value), value


_BASE = st.sampled_from("aAceEgiInoOsSuUyzZ")


@st.composite
def _accented(draw: st.DrawFn) -> str:
    """One accented or special letter as LaTeX, in one of the spellings .bib files use."""
    base = draw(_BASE)
    kind = draw(st.sampled_from(["symbol", "letter", "special"]))
    if kind == "special":
        return "{\\" + draw(st.sampled_from(sorted(_LETTERS))) + "}"
    if kind == "symbol":
        accent = draw(st.sampled_from(_SYMBOL_ACCENTS))
        form = draw(
            st.sampled_from(["\\{a}{b}", "\\{a}{{{b}}}", "{{\\{a}{b}}}", "{{\\{a}{{{b}}}}}"])
        )
    else:
        accent = draw(st.sampled_from(_LETTER_ACCENTS))
        # A bare "\c c" is read by the fast path only at the end of a word: braces here.
        form = draw(st.sampled_from(["\\{a}{{{b}}}", "{{\\{a} {b}}}", "{{\\{a}{{{b}}}}}"]))
    return form.format(a=accent, b=base)


@given(
    st.lists(
        st.one_of(st.text(alphabet="abcXYZ019 ,.", min_size=1, max_size=4), _accented()),
        min_size=1,
        max_size=8,
    )
)
def test_fast_path_agrees_with_pylatexenc_on_ascii_accents(pieces):
    latex = " ".join("".join(pieces).split())
    fast = latex_accents_to_unicode(latex)
    assert "\\" not in fast
    assert fast == latex_to_text(latex)


# --- full decoding ---------------------------------------------------------------------


def test_decoding_reads_macros_braces_and_dashes_and_keeps_math():
    assert latex_to_text(r"Die nordischen L{\"a}nder des 11.~Jh. I--IV") == (
        "Die nordischen Länder des 11. Jh. I–IV"
    )
    assert latex_to_text(r"On $\Sigma$ and {BERT}") == r"On $\Sigma$ and BERT"
    assert latex_to_text(r"\textbraceleft x\textbraceright{} \textminus 1") == "{x} \u22121"


def test_decoding_reads_a_bare_percent_as_a_percent_sign():
    assert latex_to_text("50% of 5\\% ") == "50% of 5%"


def test_decoding_drops_noopsort_from_a_real_file():
    fields = _fields("pybtex__xampl.bib")
    assert latex_to_text(fields["inbook-minimal"]["year"]) == "1973"
    assert latex_to_text(fields["book-minimal"]["year"]) == "1981"


def test_decoding_plain_text_only_collapses_spaces():
    assert latex_to_text("  A  plain\ntitle ") == "A plain title"
    assert latex_to_text("") == ""


# --- display and readable text ----------------------------------------------------------


def test_display_text_from_a_real_title():
    raw = _fields("biblatex__biblatex-examples.bib")["moraux"]["title"]
    assert display_text(raw) == "Le De Anima dans la tradition grècque"


def test_display_text_keeps_math_as_written():
    text = r"An {\em exact} $\Delta$-- ``test''  of $a--b$ \(x''\)"
    assert display_text(text) == r"An exact $\Delta$– “test” of $a--b$ \(x''\)"


def test_readable_text_turns_short_math_into_unicode():
    assert readable_text(r"Order $\hbar$ at $T \to \infty$, $x^2_{i}$") == "Order ħ at T → ∞, x²ᵢ"
    assert math_to_text(r"\mathcal{O}(n)") == "O(n)"
    # Issue 17: what real abstracts write.
    assert readable_text(r"$\texttt{MemoryRewardBench}$") == "MemoryRewardBench"
    assert readable_text(r"an $\varepsilon$-stationary point") == "an ε-stationary point"
    assert readable_text(r"in $O(\varepsilon^{-3/4})$ steps") == "in O(ε⁻³ᐟ⁴) steps"
    assert readable_text(r"$\max_i$ and $\mathbb{R}^{d}$") == "maxᵢ and ℝᵈ"
    assert readable_text(r"$x^{\alpha}$ and $\frac{1}{2}$") == "x^α and 1/2"
    assert readable_text(r"$x^{\alpha+1}$") == "x^(α+1)"  # no superscript α
    long_math = "$" + "x" * 81 + "$"
    assert readable_text(long_math) == long_math


def test_no_text_macro_loses_its_argument():
    """pylatexenc's defaults dropped \\texttt's argument: "We use \\texttt{sed}"
    was stored as "We use"."""
    from readinglist.core.latex import latex_to_text

    for name in "texttt textsf textup textmd textsc textrm textsl textit textbf emph".split():
        assert latex_to_text(rf"We use \{name}{{sed}} here") == "We use sed here", name
    assert latex_to_text(r"{\tt grep} and {\bf b}") == "grep and b"


def test_typewriter_text_is_marked_for_a_monospace_font_when_asked():
    from readinglist.core.latex import MONO_END, MONO_START

    mono = readable_text(r"$\texttt{MemoryRewardBench}$: {\tt grep} and \texttt{sed}", mono=True)
    assert mono == (
        f"{MONO_START}MemoryRewardBench{MONO_END}: {MONO_START}grep{MONO_END} and "
        f"{MONO_START}sed{MONO_END}"
    )
    # The marks in the data itself are dropped: they would open a span the data chose.
    assert readable_text(f"a {MONO_START}b", mono=True) == "a b"
    assert readable_text(r"\texttt{sed}") == "sed"  # without mono: no marks


# --- Unicode to LaTeX --------------------------------------------------------------------


def test_to_ascii_escapes_accents_and_keeps_what_would_not_read_back():
    assert to_ascii("Café") == "Caf{\\'e}"
    assert to_ascii("x \u2212 y") == r"x \textminus{} y"
    assert to_ascii("中文") == "中文"
    assert to_ascii("plain") == "plain"


@given(st.text(alphabet="aeouAEOU éèêëüöäñçÉÖÜßøåæœłŁ", max_size=30))
def test_to_ascii_reads_back_with_the_decoder(text):
    text = " ".join(text.split())
    encoded = to_ascii(text)
    assert encoded.isascii()
    assert latex_to_text(encoded) == text


def test_braces_balanced():
    assert braces_balanced("{a{b}c}") and braces_balanced("")
    assert not braces_balanced("}{") and not braces_balanced("{a")
