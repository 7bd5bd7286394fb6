"""What a voice should actually say: written French -> speakable French.

Each rule is a small ``str -> str`` function (see :mod:`podcast.speech.rules`), applied in order by
:func:`speaker`; the show's pronunciation lexicon comes last so it can fix anything before it.
"""

from __future__ import annotations

from typing import Callable

from .lexicon import Lexicon, load_lexicon
from .rules import RULES

__all__ = ["Lexicon", "load_lexicon", "RULES", "speaker"]


def speaker(lexicon: Lexicon | None = None) -> Callable[[str], str]:
    """One function applying every rule, then the lexicon."""
    rules = list(RULES)
    if lexicon is not None:
        rules.append(lexicon.apply)

    def speak(text: str) -> str:
        for rule in rules:
            text = rule(text)
        return " ".join(text.split())

    return speak
