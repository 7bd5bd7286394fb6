"""What a voice should actually say: written French -> speakable French.

Each rule is a small ``str -> str`` function (see :mod:`podcast.speech.rules`). :func:`speaker`
applies the cleanup rules (URLs, e-mails, emoji), then the pronunciation lexicon on the words as
written, then the rules that say numbers, titles, units and acronyms in French.
"""

from __future__ import annotations

from collections.abc import Callable

from .lexicon import Lexicon, default_lexicon, load_lexicon
from .rules import CLEANUP, RULES, SAYING

__all__ = ["Lexicon", "default_lexicon", "load_lexicon", "RULES", "speaker"]


def speaker(lexicon: Lexicon | None = None) -> Callable[[str], str]:
    """One function applying every rule, with the lexicon between cleanup and saying."""
    rules: list[Callable[[str], str]] = list(CLEANUP)
    if lexicon is not None:
        rules.append(lexicon.apply)
    rules.extend(SAYING)

    def speak(text: str) -> str:
        for rule in rules:
            text = rule(text)
        return " ".join(text.split())

    return speak
