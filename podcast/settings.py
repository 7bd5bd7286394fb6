"""Declared settings: a dataclass field carrying its doc and bounds, and one check that reads them.

``config`` (the show's tables) and ``voices.registry`` (each engine's ``[voice.NAME]`` table) both
declare their settings with :func:`setting`, so a setting's type, default, bounds and doc live in one
place: the check at load time and the generated reference (docs/configuration.md) read the same field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from .errors import ConfigError

T = TypeVar("T")


def setting(
    default: Any,
    doc: str,
    *,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[Any, ...] | None = None,
    unit: str = "",
    kind: type | None = None,
) -> Any:
    """A dataclass field with its one-line doc, bounds (inclusive) or allowed values, and unit.
    ``kind`` is the type of a setting whose default is None ("not set": e.g. the voice's own value)."""
    metadata = {"doc": doc, "low": low, "high": high, "choices": choices, "unit": unit, "kind": kind}
    return dataclasses.field(default=default, metadata=metadata)


def doc(field: dataclasses.Field[Any]) -> str:
    return str(field.metadata.get("doc", ""))


def _between(field: dataclasses.Field[Any]) -> str:
    low, high, unit = field.metadata.get("low"), field.metadata.get("high"), field.metadata.get("unit", "")
    return f"between {low:g} and {high:g}{' ' + unit if unit else ''}"


def bounds(field: dataclasses.Field[Any]) -> str:
    """What the field accepts, for messages and the reference: "between 0 and 10 seconds", "3 or 4"."""
    choices = field.metadata.get("choices")
    if choices:
        shown = [str(c) for c in choices]
        return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    if field.metadata.get("low") is not None and field.metadata.get("high") is not None:
        return _between(field)
    return ""


def check_value(where: str, field: dataclasses.Field[Any], value: Any) -> Any:
    """``value`` of the field's type (an int is taken as a float), within its bounds; else ConfigError."""
    expected = field.metadata.get("kind") or type(field.default)
    if value is None and field.default is None:  # left unset (never from TOML, which has no null)
        return value
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(f"{where} must be {expected.__name__}, not {type(value).__name__}")
    choices = field.metadata.get("choices")
    if choices and value not in choices:
        raise ConfigError(f"{where} must be {bounds(field)}, not {value!r}")
    low, high = field.metadata.get("low"), field.metadata.get("high")
    number = isinstance(value, (int, float)) and not isinstance(value, bool)  # value != value: NaN
    if number and low is not None and high is not None and (value != value or not low <= value <= high):
        raise ConfigError(f"{where} must be {_between(field)}")
    return value


def table(prefix: str, cls: type[T], raw: Any) -> T:
    """The dataclass ``cls`` from one TOML table; unknown keys, wrong types and values out of bounds
    are one-line ConfigErrors naming the setting (``prefix.key``)."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"[{prefix}] must be a table")
    known = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"unknown setting {prefix}.{key}")
        values[key] = check_value(f"{prefix}.{key}", known[key], value)
    return cls(**values)


def check_all(prefix: str, instance: Any) -> None:
    """The same checks on a dataclass built in code (a library caller, a test): bounds hold everywhere."""
    for field in dataclasses.fields(instance):
        if "doc" not in field.metadata:  # not a setting (VoiceConfig.engines: checked by the registry)
            continue
        check_value(f"{prefix}.{field.name}", field, getattr(instance, field.name))
