"""An e-mail (.eml) -> :class:`Issue`: the newsletter as its reader's mail client shows it.

Parsed by the stdlib (``email.policy.default``): the HTML part of a ``multipart/alternative`` is
preferred, the text part otherwise; every transfer encoding (base64, quoted-printable, 8bit) and
charset is decoded; attachments and inline images are ignored. The title is the Subject without
forwarding marks (« Fwd: », « TR: », « Re: »), the date is the ``Date`` header, the sender is the
author, and the ``Message-ID`` identifies the episode.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import email.utils
import logging
import re
from dataclasses import replace
from email.message import EmailMessage, MIMEPart
from typing import Any

from ..article import Issue, parse
from ..errors import InputError
from .clean import boilerplate, squash
from .html import read_html

log = logging.getLogger(__name__)

_FORWARD = re.compile(r"^\s*(?:(?:fwd?|tr|re|r[ée]f|aw|wg)\s*:\s*|\[(?:fwd?|tr)\]\s*)+", re.IGNORECASE)
_SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)


def subject_title(subject: str) -> str:
    """The Subject without « Fwd: », « TR: », « Re: » (however many) and list tags like « [Lettre] »."""
    title = _FORWARD.sub("", squash(subject))
    return squash(title)


def _decode_part(part: MIMEPart, name: str) -> str:
    """A text part's body: transfer encoding undone, then its charset, strictly."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset()
    if charset:
        try:
            codecs.lookup(charset)
        except LookupError:
            kind = part.get_content_type()
            raise InputError(f"the e-mail's {kind} part declares an unknown charset {charset!r}", path=name) from None
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            raise InputError(
                f"the e-mail's {part.get_content_type()} part is not valid {charset} text (broken charset)", path=name
            ) from None
    from ..article import decode

    text, warnings = decode(data, name=name)
    for warning in warnings:
        log.warning("%s", warning)
    return text


def _metadata(message: EmailMessage) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    subject = subject_title(str(message.get("Subject", "") or ""))
    if subject:
        meta["title"] = subject
    message_id = str(message.get("Message-ID", "") or "").strip()
    if message_id:
        meta["id"] = message_id
    sender = message.get("From")
    if sender:
        addresses = getattr(sender, "addresses", ())
        if addresses:
            meta["author"] = addresses[0].display_name or addresses[0].addr_spec
        else:
            meta["author"] = squash(str(sender))
    date_header = message.get("Date")
    if date_header:
        try:
            meta["date"] = email.utils.parsedate_to_datetime(str(date_header)).date().isoformat()
        except (TypeError, ValueError, IndexError):
            log.warning("the e-mail's Date header is not a date: %r", str(date_header))
    return meta


def _plain_text(text: str, *, title: str | None, name: str) -> str:
    """A text part without its signature, quoted lines and the sending tool's boilerplate lines."""
    text = _SIGNATURE.split(text.replace("\r\n", "\n").replace("\r", "\n"), maxsplit=1)[0]
    lines = []
    for line in text.split("\n"):
        bare = squash(line)
        if bare.startswith(">"):
            continue  # quoted by a forward or a reply
        if bare and boilerplate(squash(re.sub(r"[(<\[]?https?://\S+", "", bare)).rstrip(" :")):
            continue
        if re.fullmatch(r"\[?https?://\S+\]?", bare):
            continue  # a bare tracking or "view online" address
        lines.append(line)
    body = "\n".join(lines).strip()
    first = next((squash(line) for line in body.split("\n") if line.strip()), "")
    if title and first.casefold() != title.casefold():
        body = f"{title}\n\n{body}"
    return body


def read_email(data: bytes, *, name: str, sponsored: bool = False) -> Issue:
    """The bytes of an .eml file -> :class:`Issue` (``meta``: id, title, date, author)."""
    if not data.strip():
        raise InputError("the e-mail is empty", path=name)
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or (not message.keys()):
        raise InputError("is not an e-mail (no headers)", path=name)
    meta = _metadata(message)
    body = message.get_body(preferencelist=("html", "plain"))
    if body is None or body.get_content_maintype() != "text":
        raise InputError("the e-mail has no text or HTML part to read", path=name)
    kind = body.get_content_type()
    text = _decode_part(body, name)
    if not text.strip():
        raise InputError(f"the e-mail's {kind} part is empty", path=name)
    title = meta.get("title")
    if kind == "text/html":
        issue = read_html(text, name=name, prefix="email text/html", newsletter=True, sponsored=sponsored, title=title)
        return Issue(issue.title, issue.articles, issue.teaser, issue.credits, issue.warnings, {**issue.meta, **meta})
    issue = parse(_plain_text(text, title=title, name=name), name=name, markdown=False)
    articles = tuple(replace(article, source="email text/plain") for article in issue.articles)
    meta["source"] = "email text/plain"
    return Issue(issue.title, articles, issue.teaser, issue.credits, issue.warnings, meta)
