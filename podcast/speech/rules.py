"""Normalization rules, each a plain ``str -> str`` function tested alone (tests/test_speech.py)."""

from __future__ import annotations

import re
import unicodedata

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>«»\"]+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def drop_urls(text: str) -> str:
    """A URL is read as its site name only: "https://www.lemonde.fr/x" -> "lemonde.fr"."""

    def site(match: re.Match[str]) -> str:
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", match.group(0), flags=re.IGNORECASE)
        host = host.split("/")[0].rstrip(".,;:")
        return host.replace(".", " point ")

    return _URL.sub(site, text)


def drop_emails(text: str) -> str:
    return _EMAIL.sub(lambda m: m.group(0).replace("@", " arobase ").replace(".", " point "), text)


def drop_emoji(text: str) -> str:
    return "".join(
        ch for ch in text if unicodedata.category(ch) not in ("So", "Sk", "Cs") and ch != "\ufe0f"
    )


def percent(text: str) -> str:
    return re.sub(r"(\d)\s*%", r"\1 pour cent", text)


def currencies(text: str) -> str:
    text = re.sub(r"(\d)\s*€", r"\1 euros", text)
    text = re.sub(r"\$\s*(\d[\d\s,.]*\d|\d)", r"\1 dollars", text)
    return re.sub(r"(\d)\s*\$", r"\1 dollars", text)


RULES = (drop_urls, drop_emails, drop_emoji, percent, currencies)
