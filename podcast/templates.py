"""The spoken templates' fields (``[speech]`` intro, outro, transitions): which fields exist and the
one check podcast.toml loading runs on each template, so a bad one fails before any build."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any

from .errors import ConfigError

# The fields templates may use, each with a sample of the type build gives it: a format spec is
# tried on the sample, so ``{number:03d}`` passes and ``{title:03d}`` fails when podcast.toml is read.
TEMPLATE_FIELDS: dict[str, Any] = {
    "show": "Le Fil Tech",
    "title": "Titre",
    "number": 12,
    "summary": "un sujet, un autre",
    "author": "La rédaction",
    "date": "lundi 3 juin 2024",
    "teaser": "En bref.",
    "contents": "Au sommaire : un sujet, un autre et un dernier.",
}
_MAX_WIDTH = 200  # a format width or precision above this is a typo, and {title:999999999} eats memory


_CONVERSIONS: dict[str, Callable[[object], str]] = {"s": str, "r": repr, "a": ascii}


def check_template(template: str, name: str) -> None:
    """One-line ConfigError unless ``template`` uses only TEMPLATE_FIELDS, plainly, with specs that fit."""
    allowed = ", ".join("{" + key + "}" for key in TEMPLATE_FIELDS)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:
        raise ConfigError(f"{name} is not a valid template ({err}); write {{{{ and }}}} for braces") from None
    for _text, field_name, spec, conversion in parsed:
        if field_name is None:
            continue
        shown = "{" + field_name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if re.search(r"[.\[]", field_name):
            raise ConfigError(f"{name}: {shown} is not allowed: no attribute or index access; use {allowed}")
        if field_name not in TEMPLATE_FIELDS:
            raise ConfigError(f"{name}: unknown field {shown}; use {allowed}")
        spec = spec or ""
        if "{" in spec or any(int(n) > _MAX_WIDTH for n in re.findall(r"[0-9]+", spec)):
            raise ConfigError(f"{name}: {shown} has a format spec we refuse (nested or wider than {_MAX_WIDTH})")
        try:
            value = TEMPLATE_FIELDS[field_name]
            if conversion:
                value = _CONVERSIONS[conversion](value)
            format(value, spec)
        except (KeyError, ValueError, TypeError) as err:
            raise ConfigError(f"{name}: {shown} does not fit the field {field_name} ({err})") from None
