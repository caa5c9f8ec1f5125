"""Authors' name parts. A paper stores each author as display text ("Given Family");
where the source said which words are the family name (BibTeX, RIS and MEDLINE
"Family, Given", CSL-JSON's parts) the import keeps that family per display name in
``extra["families"]``. Exports split a name by it, and otherwise by rule: the last
word, or from a particle on ("von Oswald", "Van Gool", "Della Pietra", "Le Cun").
The rule is what old libraries, which kept no families, are exported by."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Particles that begin a family name when they follow the given names.
PARTICLES = frozenset(
    "von van der den de del della di da du dos das la le ter ten zu af al el bin ibn".split()
)
SUFFIX = re.compile(r"^(?:Jr\.?|Sr\.?|II|III|IV|V)$")
GROUP = re.compile(r"\b(?:Collaborations?|Consortium|Team|Group)\b")


@dataclass(frozen=True)
class NameParts:
    given: str
    family: str
    suffix: str = ""


def name_parts(name: str, family: str | None = None) -> NameParts | None:
    """The parts of a display name; None for a group ("The CMS Collaboration"),
    which is never split. ``family``, when the source gave it, decides the split."""
    name = " ".join(name.split())
    if not name or " and " in f" {name} " or GROUP.search(name) or name.count(",") > 1:
        return None  # a group, or a name no rule can split ("Firby, J. Miller, D.")
    suffix = ""
    if name.count(",") == 1:  # our display form "Given [von] Family, Jr."
        name, _, suffix = (x.strip() for x in name.rpartition(","))
    words = name.split(" ")
    if not suffix and len(words) > 2 and SUFFIX.match(words[-1]):
        suffix = words.pop()
        name = " ".join(words)
    if family:
        family = " ".join(family.split())
        if name == family:
            return NameParts("", family, suffix)
        if name.endswith(" " + family):
            return NameParts(name[: -len(family) - 1], family, suffix)
    if len(words) == 1:
        return NameParts("", words[0], suffix)
    start = next(
        (i for i in range(1, len(words) - 1) if words[i].lower() in PARTICLES),
        len(words) - 1,
    )
    return NameParts(" ".join(words[:start]), " ".join(words[start:]), suffix)


def family_of(given: str, family: str) -> tuple[str, str]:
    """(display name, family) for a source's explicit parts."""
    given, family = " ".join(given.split()), " ".join(family.split())
    return (f"{given} {family}".strip(), family)
