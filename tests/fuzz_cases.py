"""Inputs for fuzzing the importers and the query parser: per format, fragments
of its syntax (mixed with arbitrary text) are what finds bugs; pure random text
rarely gets past a parser's first check. Shared by tests/test_fuzz.py
(hypothesis, with shrinking) and bench/fuzz.py (a long random run)."""

from __future__ import annotations

FRAGMENTS: dict[str, list[str]] = {
    "listing": [
        "\n",
        "\n\n",
        "\r\n",
        " ",
        "\t",
        "Upvote",
        "12",
        "Title Words Here For A Paper",
        "An abstract sentence goes here, and it ends.",
        "x" * 60,
        "\u2019",
        "\u00a0",
        "arXiv:2401.00001",
        "Title: x",
        "\ufeff",
        "Subscribe",
        "·",
        "—",
    ],
    "arxiv": [
        "arXiv:2401.00001",
        "arXiv:2401.00001v2",
        "arXiv:hep-th/9901001",
        "\n",
        "\n  ",
        "Title: ",
        "Authors: ",
        "Categories: cs.LG",
        "Comments: ",
        "Journal-ref: ",
        "DOI: 10.1/x",
        "\\\\",
        "\\\\ ( https://arxiv.org/abs/2401.00001 ,",
        "Date: ",
        "replaced with revised version",
        "St\\'ephane",
        "$\\alpha$",
        "(",
        ")",
        "[1]",
        "[pdf, html, other]",
        "Subjects: Machine Learning (cs.LG)",
        "Abstract:",
        "x",
    ],
    "bibtex": [
        "@article{",
        "@misc{",
        "@string{",
        "@comment{",
        "@preamble{",
        "@",
        "}",
        "{",
        ",",
        "=",
        '"',
        "#",
        "%",
        "\n",
        "title",
        "author",
        " and ",
        "year",
        "2024",
        "\\'e",
        "\\",
        "crossref",
        "key1",
        '{\\"o}',
        "$x^2$",
        "eprint",
        "archivePrefix",
        "arXiv",
        "doi",
        "10.1/x",
        "journal",
        "month",
        "jan",
        "~",
        "&",
    ],
    "ris": [
        "TY  - JOUR\n",
        "ER  - \n",
        "AU  - Doe, Jane\n",
        "TI  - A Title\n",
        "PY  - 2020\n",
        "AB  - abstract\n",
        "DO  - 10.1/x\n",
        "KW  - k\n",
        "\n",
        "\r\n",
        "  - ",
        "T1  - ",
        "UR  - http://x\n",
        "Y1  - 2020///\n",
        "\ufeff",
        "ZZ  - ?\n",
        "x",
    ],
    "atom": [
        "<feed xmlns='http://www.w3.org/2005/Atom'>",
        "</feed>",
        "<entry>",
        "</entry>",
        "<title>",
        "</title>",
        "<summary>",
        "</summary>",
        "<id>http://arxiv.org/abs/2401.00001v1</id>",
        "<author><name>A B</name></author>",
        "<published>2024-01-01T00:00:00Z</published>",
        "&amp;",
        "&lt;",
        "&#0;",
        "&bogus;",
        "<![CDATA[",
        "]]>",
        "<!DOCTYPE x>",
        "<?xml version='1.0'?>",
        "<arxiv:doi xmlns:arxiv='http://arxiv.org/schemas/atom'>10.1/x</arxiv:doi>",
        "x",
        "\n",
    ],
    "query": [
        *"abc \"()*~:-[]^\\'{}/",
        " AND ",
        " OR ",
        " NOT ",
        " TO ",
        "is:",
        "is:unread",
        "year:",
        "year:[2020 TO 2024]",
        "by:",
        "2020",
        "model",
        "tag:",
        "title:",
        "note:",
        "arxiv:",
        "author:",
        "*",
        "~2",
        "é",
        "\u0000",
    ],
}

FORMATS = ("listing", "arxiv", "bibtex", "ris", "atom")


def adversarial(fmt: str, size: int) -> str:
    """One pathological input of about ``size`` characters, to compare 1 MB with
    10 MB: linear code takes ~10x longer, quadratic code ~100x."""

    def fill(unit: str) -> str:
        return unit * (size // len(unit) + 1)

    return {
        "listing": fill("word "),  # one endless line
        "listing-lines": fill("Short Line\n"),
        "arxiv": fill("arXiv:2401.00001\nTitle: x\n"),
        "bibtex": fill("@article{k, title={x},\n"),  # never closed
        "bibtex-braces": "@misc{k, title=" + "{" * min(size, 100_000) + fill("x"),
        "ris": fill("TY  - JOUR\nTI  - x\n"),  # never ended
        "atom": "<feed xmlns='http://www.w3.org/2005/Atom'>"
        + fill("<entry><title>x</title><summary>y</summary></entry>")
        + "</feed>",
    }[fmt]


ADVERSARIAL = ("listing", "listing-lines", "arxiv", "bibtex", "bibtex-braces", "ris", "atom")


# A small valid document per format: mutated, it reaches deep into a parser,
# where random fragments alone are usually rejected at the first line.
TEMPLATES: dict[str, str] = {
    "listing": (
        "Daily Papers\n\nA Study of Things in Context\n\nWe study things, and find that "
        "context matters a great deal for what follows.\n\nAnother Paper Title Here\n\n"
        "Second abstract with enough words to be an abstract of a paper.\n"
    ),
    "arxiv": (
        "------------------------------------------------------------------------------\n"
        "\\\\\narXiv:2401.00001\nDate: Mon, 1 Jan 2024 00:00:00 GMT   (10kb)\n\n"
        "Title: A Study of Things\nAuthors: Ada Lovelace, St\\'ephane Mallat\n"
        "Categories: cs.LG stat.ML\nComments: 10 pages\n\\\\\n  We study things and "
        "find that they matter.\n\\\\ ( https://arxiv.org/abs/2401.00001 ,  10kb)\n"
    ),
    "bibtex": (
        "@string{jml = {Journal of ML}}\n@article{key1,\n  title = {A {Study} of \\'Etudes},\n"
        "  author = {Lovelace, Ada and von Neumann, John and {Team X}},\n  journal = jml,\n"
        "  year = {2024},\n  eprint = {2401.00001},\n  archivePrefix = {arXiv}\n}\n"
        '@misc{key2, title = "Second", author = "B C", year = 2020}\n'
    ),
    "ris": (
        "TY  - JOUR\nTI  - A Study of Things\nAU  - Lovelace, Ada\nAU  - Mallat, S.\n"
        "PY  - 2024///\nAB  - We study things.\nDO  - 10.1000/xyz\nER  - \n"
    ),
    "atom": (
        "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns='http://www.w3.org/2005/Atom' "
        "xmlns:arxiv='http://arxiv.org/schemas/atom'>\n<entry>\n"
        "<id>http://arxiv.org/abs/2401.00001v1</id>\n<title>A Study of Things</title>\n"
        "<summary>We study things &amp; more.</summary>\n"
        "<published>2024-01-01T00:00:00Z</published>\n<author><name>Ada Lovelace</name></author>\n"
        "<arxiv:doi>10.1/x</arxiv:doi>\n<category term='cs.LG'/>\n</entry>\n</feed>\n"
    ),
}


def mutate(template: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply edits (position, how many characters to delete there, text to insert)."""
    text = template
    for position, delete, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at + delete % 8 :]
    return text
