"""LaTeX to text and text to LaTeX: the one place that knows how TeX reads.

Which function for which job (they differ on purpose, and the outputs are pinned
by the tests and by stored libraries, so they are not merged):

* :func:`latex_accents_to_unicode` — the fast path: accent commands and the
  special letters only (``St\\'ephane`` -> ``Stéphane``). Math, ``%`` and every
  other command survive, so it is safe on stored titles and abstracts; keys,
  the search index and the arXiv listing importer use it.
* :func:`latex_to_text` — full decoding with pylatexenc, for BibTeX field values
  on import: every macro and brace is read, math is kept as written, spaces are
  collapsed.
* :func:`display_text` — how stored text reads: accents, emphasis commands
  dropped, TeX dashes and quotes as characters, math as written. A BibTeX export
  decodes back to exactly this text.
* :func:`readable_text` — :func:`display_text` with short ``$...$`` math spans
  turned into Unicode (``$\\alpha$`` -> α), for reading in the window.
* :func:`to_ascii` — the other way: non-ASCII characters as LaTeX escapes
  (é -> ``{\\'e}``), for ASCII-only BibTeX.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from typing import Any

# --- accents: the fast path -----------------------------------------------------------

_SYMBOL_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
}
_LETTER_ACCENTS = {
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_SPECIALS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}

_SYM = "".join(re.escape(c) for c in _SYMBOL_ACCENTS)
_LET = "".join(_LETTER_ACCENTS)
# {\'e} or {\'{e}} or \'e; for letter accents \c{c} or \c c only.
_ACCENT_RE = re.compile(
    r"\{\\([" + _SYM + r"])\s*\{?(\\[ij](?![A-Za-z])|[A-Za-z])\}?\}"
    r"|\\([" + _SYM + r"])\s*\{(\\[ij](?![A-Za-z])|[A-Za-z])\}"
    r"|\\([" + _SYM + r"])(\\[ij](?![A-Za-z])|[A-Za-z])"
    r"|\{\\([" + _LET + r"])\s*\{?(\\[ij](?![A-Za-z])|[A-Za-z])\}?\}"
    r"|\\([" + _LET + r"])\{(\\[ij](?![A-Za-z])|[A-Za-z])\}"
    r"|\\([" + _LET + r"]) ([A-Za-z])(?![A-Za-z])"
)
_SPECIAL_RE = re.compile(
    r"\{\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)\}|\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![A-Za-z])\s?"
)


def _accent_sub(m: re.Match[str]) -> str:
    groups = m.groups()
    for i in range(0, len(groups), 2):
        if groups[i] is not None:
            accent, base = groups[i], groups[i + 1]
            if base.startswith("\\"):
                base = _SPECIALS[base[1:]]
            mark = _SYMBOL_ACCENTS.get(accent) or _LETTER_ACCENTS[accent]
            return unicodedata.normalize("NFC", base + mark)
    return m.group(0)


def latex_accents_to_unicode(text: str) -> str:
    """Turn LaTeX accent commands (``St\\'ephane``, ``He{\\ss}``) into Unicode.

    Only accents and the special letters are touched, so math (``$\\alpha$``),
    ``%`` and other commands survive unchanged for the display to render.
    """
    if "\\" not in text:
        return text
    text = _ACCENT_RE.sub(_accent_sub, text)
    text = _SPECIAL_RE.sub(lambda m: _SPECIALS[m.group(1) or m.group(2)], text)
    # Braces left around a single converted letter ("{é}"); ASCII "{x}" is left alone.
    text = re.sub(r"\{([^\x00-\x7f])\}", r"\1", text)
    return unicodedata.normalize("NFC", text)


# --- full decoding with pylatexenc ----------------------------------------------------


@functools.cache
def _decoder() -> Any:
    # Imported on first use: pylatexenc costs start-up time that a library
    # without BibTeX never needs to pay.
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )

    db = get_default_latex_context_db().filter_context()
    db.add_context_category(
        "readinglist",
        prepend=True,
        macros=[
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            MacroTextSpec("textasciicircum", "^"),
            MacroTextSpec("textasciitilde", "~"),
            MacroTextSpec("textbackslash", "\\"),
            MacroTextSpec("noopsort", ""),
            MacroTextSpec("textminus", "\u2212"),
            MacroTextSpec("cite", ""),
            # A box keeps its content: "\mbox{$\mu$}" is "$\mu$" (it was dropped).
            MacroTextSpec("mbox", simplify_repl="%(1)s"),
            MacroTextSpec("hbox", simplify_repl="%(1)s"),
            # pylatexenc's defaults drop these macros' argument: "We use \texttt{sed}"
            # came in as "We use" (issue 17, found rendering the detail pane).
            *(
                MacroTextSpec(name, simplify_repl="%(1)s")
                for name in ("texttt", "textsf", "textup", "textmd")
            ),
        ],
    )
    return LatexNodes2Text(latex_context=db, math_mode="verbatim", strict_latex_spaces=True)


def latex_to_text(value: str) -> str:
    """Decode LaTeX in a BibTeX value to Unicode, keeping math spans as written."""
    if not value:
        return ""
    if not re.search(r"[\\{}~%`'-]", value):
        return " ".join(value.split())
    # A bare % in a .bib value is a percent sign to its author, not a comment.
    value = re.sub(r"(?<!\\)%", r"\\%", value)
    # \noopsort{x} is a sorting trick whose argument must not show.
    value = re.sub(r"\\noopsort\{[^{}]*\}", "", value)
    converter = _decoder()
    try:
        text = converter.latex_to_text(value)
    except Exception:
        # pylatexenc gives up on some broken input; the letters still matter more
        # than the markup, so the value is kept without its braces.
        text = value.replace("{", "").replace("}", "")
    return " ".join(str(text).split())


def braces_balanced(text: str) -> bool:
    """True when every ``}`` closes an earlier ``{`` and none is left open."""
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


# --- display text: stored text as it reads ----------------------------------------------

#: A math span: ``$...$`` (not ``$$``) or ``\\(...\\)``, on one line. The BibTeX
#: writer uses the same spans to keep math as math.
MATH_SPAN = re.compile(r"(?<!\\)\$(?!\$)([^$\n]+?)(?<!\\)\$|\\\((.+?)\\\)")
_TEXT_MACROS = re.compile(r"\\(?:emph|textit|textbf|texttt|textsc|textrm|textsf|mbox)\{([^{}]*)\}")
_GROUP_MACROS = re.compile(r"\{\\(?:em|it|bf|sc|tt|rm|sf)\s+([^{}]*)\}")
_LIGATURES = (("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"), ("?`", "¿"), ("!`", "¡"))


def display_plain(text: str) -> str:
    """:func:`display_text` for a piece known to hold no math span (spaces as given)."""
    if "\\" in text:
        text = _TEXT_MACROS.sub(r"\1", text)
        text = _GROUP_MACROS.sub(r"\1", text)
        text = latex_accents_to_unicode(text)
    for tex, char in _LIGATURES:
        if tex in text:
            text = text.replace(tex, char)
    return text


def display_text(text: str) -> str:
    """How a stored title or abstract reads: LaTeX accents as letters, emphasis
    commands dropped, TeX dashes and quotes as their characters, math as written.

    An export decodes back to exactly this text (the tests check it with both
    bibtexparser and pybtex).
    """
    text = " ".join(text.split())
    out: list[str] = []
    pos = 0
    for m in MATH_SPAN.finditer(text):
        out.append(display_plain(text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(display_plain(text[pos:]))
    return "".join(out)


# --- readable math, for the window --------------------------------------------------------

_GREEK_NAMES = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron "
    "pi rho sigma tau upsilon phi chi psi omega"
).split()
_SYMBOLS: dict[str, str] = {
    **{name: chr(0x3B1 + i + (1 if i > 16 else 0)) for i, name in enumerate(_GREEK_NAMES)},
    **{
        name.capitalize(): chr(0x391 + i + (1 if i > 16 else 0))
        for i, name in enumerate(_GREEK_NAMES)
        if name.capitalize()
        not in (
            "Alpha",
            "Beta",
            "Epsilon",
            "Zeta",
            "Eta",
            "Iota",
            "Kappa",
            "Mu",
            "Nu",
            "Omicron",
            "Rho",
            "Tau",
            "Chi",
        )
    },
    "varepsilon": "ε",
    "vartheta": "ϑ",
    "varphi": "φ",
    "varpi": "ϖ",
    "varrho": "ϱ",
    "varsigma": "ς",
    "ell": "ℓ",
    "hbar": "ħ",
    "infty": "∞",
    "partial": "∂",
    "nabla": "∇",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "Rightarrow": "⇒",
    "mapsto": "↦",
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "∼",
    "simeq": "≃",
    "equiv": "≡",
    "propto": "∝",
    "ll": "≪",
    "gg": "≫",
    "times": "×",
    "cdot": "·",
    "pm": "±",
    "mp": "∓",
    "div": "÷",
    "circ": "∘",
    "in": "∈",
    "notin": "∉",
    "subset": "⊂",
    "subseteq": "⊆",
    "cup": "∪",
    "cap": "∩",
    "forall": "∀",
    "exists": "∃",
    "emptyset": "∅",
    "neg": "¬",
    "wedge": "∧",
    "vee": "∨",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "oint": "∮",
    "sqrt": "√",
    "star": "⋆",
    "ldots": "…",
    "dots": "…",
    "cdots": "⋯",
    "prime": "′",
    "degree": "°",
    "langle": "⟨",
    "rangle": "⟩",
    "lvert": "|",
    "rvert": "|",
    "vert": "|",
    "mid": "|",
    "|": "‖",
    "quad": " ",
    "qquad": " ",
    ",": " ",
    ";": " ",
    ":": " ",
    "!": "",
    " ": " ",
    "left": "",
    "right": "",
    "big": "",
    "Big": "",
    "bigg": "",
    "Bigg": "",
    "displaystyle": "",
    "textstyle": "",
    "limits": "",
    "nolimits": "",
}
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
_SUPER = dict(
    zip(
        "0123456789+-=()n/ijkmnoprstuvwxyzabcdefghlTAB*",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿᐟⁱʲᵏᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵃᵇᶜᵈᵉᶠᵍʰˡᵀᴬᴮ*",
        strict=True,
    )
)
_SUB = dict(
    zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)
)
# Commands whose argument is shown as it is (fonts, text inside math).
_WRAPPERS = re.compile(
    r"\\(?:text(?:tt|bf|it|rm|sf|sc|normal)?|math(?:rm|bf|it|sf|tt|frak|scr|cal)|"
    r"operatorname\*?|boldsymbol|bm|mbox|hat|bar|tilde|vec|dot|overline|underline|widehat)"
    r"\s*\{([^{}]*)\}"
)


def _script(body: str, table: dict[str, str], mark: str) -> str:
    """A super- or subscript in Unicode when every character has a form, else
    ``^(...)`` / ``_(...)`` (a single character without parentheses)."""
    if body and all(ch in table for ch in body):
        return "".join(table[ch] for ch in body)
    return f"{mark}{body}" if len(body) == 1 else f"{mark}({body})"


def math_to_text(math: str) -> str:
    """The inside of a math span as readable text: ``\\varepsilon`` -> ε,
    ``\\texttt{X}`` -> X, ``x^{-3/4}`` -> x⁻³ᐟ⁴, ``\\max_i`` -> maxᵢ, ``\\frac{a}{b}`` ->
    a/b, other commands as their names. For reading; the stored text keeps its
    source."""
    text = math
    for _ in range(4):  # nested wrappers, innermost first
        text, n = _WRAPPERS.subn(r"\1", text)
        if not n:
            break
    text = re.sub(
        r"\\mathbb\s*\{?([A-Z])\}?", lambda m: _BLACKBOARD.get(m.group(1), m.group(1)), text
    )
    text = re.sub(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"\1/\2", text)
    text = re.sub(r"\\sqrt\s*\{([^{}]*)\}", "√\\1", text)
    text = re.sub(r"\\([A-Za-z]+|[,;:! |])", lambda m: _SYMBOLS.get(m.group(1), m.group(1)), text)
    text = re.sub(
        r"\^\{([^{}]*)\}|\^(\S)", lambda m: _script(m.group(1) or m.group(2), _SUPER, "^"), text
    )
    text = re.sub(
        r"_\{([^{}]*)\}|_(\S)", lambda m: _script(m.group(1) or m.group(2), _SUB, "_"), text
    )
    return " ".join(text.replace("{", "").replace("}", "").split())


#: With readable_text(..., mono=True), ``\\texttt{X}`` comes out as X between these
#: (private-use characters), for a widget that can show X in a monospace font.
MONO_START, MONO_END = "\ue010", "\ue011"
_MONO = re.compile(r"\\texttt\s*\{([^{}]*)\}|\{\\tt\s+([^{}]*)\}")


def readable_text(text: str, mono: bool = False) -> str:
    """Paper text for reading: LaTeX accents and commands as Unicode, ``$\\alpha$`` as α
    (the stored text keeps its source); with ``mono``, typewriter text marked
    between MONO_START and MONO_END."""
    if mono:  # the marks in the data itself would open a monospace span it chose
        text = text.replace(MONO_START, "").replace(MONO_END, "")
    if mono and "\\t" in text:
        text = _MONO.sub(lambda m: MONO_START + (m.group(1) or m.group(2)) + MONO_END, text)
    readable = display_text(text)
    # Only short $...$ spans: a long one is more likely two stray dollar signs.
    return re.sub(r"\$([^$]{1,80})\$", lambda m: math_to_text(m.group(1)), readable)


# --- Unicode -> LaTeX -------------------------------------------------------------------

_ASCII_CACHE: dict[str, str] = {}


def to_ascii(text: str) -> str:
    """Non-ASCII characters as LaTeX escapes (é -> {\\'e}).

    A character whose escape would not read back as the same character (CJK,
    lone combining marks) is kept as it is: the text must not change meaning,
    and the CLI warns that the file is then not pure ASCII.
    """
    if text.isascii():
        return text
    # A letter with combining marks (as written: "2" + macron; or precomposed
    # letters pylatexenc does not know, "ọ", "ễ") as nested accent macros.
    text = _COMBINED.sub(_combined_to_latex, unicodedata.normalize("NFC", text))
    out = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
            continue
        if ch not in _ASCII_CACHE:
            _ASCII_CACHE[ch] = _char_to_latex(ch)
        out.append(_ASCII_CACHE[ch])
    return "".join(out)


# Combining marks and the LaTeX accent macros that write them.
_MARKS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0323": "d",
    "\u0327": "c",
    "\u0328": "k",
    "\u0331": "b",
}
_COMBINED = re.compile("([A-Za-z0-9\u00c0-\u024f\u1e00-\u1eff])([\u0300-\u036f]+)")


def _nested(m: re.Match[str]) -> str:
    """A base letter and its combining marks (decomposed) as nested accent macros."""
    base, marks = m.group(1), m.group(2)
    if not base.isascii() or any(mark not in _MARKS for mark in marks):
        return m.group(0)
    out = base
    for mark in marks:
        out = f"\\{_MARKS[mark]}{{{out}}}"
    return "{" + out + "}"


def _combined_to_latex(m: re.Match[str]) -> str:
    """A base letter and its combining marks as accent macros, innermost first:
    "ễ" (e, circumflex, tilde) is \\~{\\^{e}}; left alone when a mark has no macro
    or the letter is precomposed and pylatexenc writes it itself."""
    decomposed = unicodedata.normalize("NFD", m.group(0))
    return _COMBINED.sub(_nested, decomposed) if decomposed[0].isascii() else m.group(0)


def _char_to_latex(ch: str) -> str:
    from pylatexenc.latexencode import unicode_to_latex

    logging.getLogger("pylatexenc").setLevel(logging.ERROR)
    if ch == "\u2212":
        return r"\textminus{}"
    encoded = str(
        unicode_to_latex(
            ch,
            non_ascii_only=True,
            replacement_latex_protection="braces-all",
            unknown_char_policy="keep",
        )
    )
    # The escape must decode back to the character, between letters as in a word.
    if not encoded.isascii() or latex_to_text("x" + encoded + "x") != "x" + ch + "x":
        decomposed = unicodedata.normalize("NFD", ch)
        if len(decomposed) > 1 and decomposed[0].isascii():
            nested = _COMBINED.sub(_nested, decomposed)
            if nested.isascii() and latex_to_text("x" + nested + "x") == "x" + ch + "x":
                return nested  # "ọ" (pylatexenc knows no escape) is {\\d{o}}
        return ch
    return encoded
