"""Apple Podcasts categories: the current list (Apple's 2019 taxonomy, unchanged since), and the check.

Apple ignores a show whose ``itunes:category`` is not on its list, and directories copy Apple's.
Names are Apple's exact spelling (``&`` included); a category may have no subcategory.
"""

from __future__ import annotations

import difflib

from .errors import ConfigError

APPLE: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}


def suggestion(value: str, names: tuple[str, ...] | list[str]) -> str | None:
    """The name a producer probably meant: same letters in another case, a prefix ("Tech"), or close."""
    folded = value.strip().casefold()
    for name in names:
        if name.casefold() == folded:
            return name
    if folded:
        starts = [name for name in names if name.casefold().startswith(folded)]
        if len(starts) == 1:
            return starts[0]
    close = difflib.get_close_matches(value, list(names), n=1, cutoff=0.6)
    return close[0] if close else None


def _refuse(setting: str, value: str, names: tuple[str, ...] | list[str], where: str) -> ConfigError:
    hint = suggestion(value, names)
    said = f"did you mean {hint!r}?" if hint else f"one of: {', '.join(names)}"
    return ConfigError(f"{setting} {value!r} is not an Apple Podcasts {where}; {said}")


def check(category: str, subcategory: str) -> None:
    """One-line ConfigError unless the pair is on Apple's list (an empty subcategory is none)."""
    if category not in APPLE:
        raise _refuse("show.category", category, list(APPLE), "category")
    subs = APPLE[category]
    if subcategory and subcategory not in subs:
        if not subs:
            raise ConfigError(f"show.subcategory {subcategory!r}: {category} has no subcategories; leave it empty")
        raise _refuse("show.subcategory", subcategory, subs, f"subcategory of {category}")
