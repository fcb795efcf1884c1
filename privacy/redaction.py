"""Redaction before storing: find personal numbers and addresses in text people write and replace
each by a short bracketed label, before the text is written, broadcast, indexed or e-mailed.

Every finder checks what it finds, so that look-alikes are kept: a card number must pass the Luhn
check (its last four digits are kept, as receipts show them), a mainland China resident ID number
its ISO 7064 check character, an IBAN its mod-97 check, and a phone number must be a valid number
for ``phonenumbers``. Admins' own patterns run on the ``regex`` package with a timeout: a pattern
that backtracks catastrophically cannot stall a worker; if one times out, the whole text is
redacted rather than stored unchecked (failing closed).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import phonenumbers
import regex

logger = logging.getLogger(__name__)

CUSTOM_TIMEOUT_SECONDS = 0.05
MAX_CUSTOM_PATTERNS = 20
MAX_PATTERN_LENGTH = 300

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
# 13 to 19 digits, perhaps grouped by single spaces or dashes.
CARD = re.compile(r"(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])")
CN_ID = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")

CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CN_CHECK = "10X98765432"


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def cn_id_ok(value: str) -> bool:
    value = value.upper()
    body, check = value[:17], value[17]
    if not body.isdigit():
        return False
    month, day = int(value[10:12]), int(value[12:14])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    return CN_CHECK[sum(int(d) * w for d, w in zip(body, CN_WEIGHTS, strict=True)) % 11] == check


def iban_ok(value: str) -> bool:
    value = value.replace(" ", "")
    if not 15 <= len(value) <= 34:
        return False
    moved = value[4:] + value[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


@dataclass(frozen=True)
class Policy:
    """What one inbox redacts (privacy.models.InboxPrivacy, or the defaults)."""

    cards: bool = True
    emails: bool = False
    phones: bool = False
    phone_region: str = ""
    cn_ids: bool = False
    ibans: bool = False
    custom: tuple[str, ...] = field(default_factory=tuple)

    @property
    def active(self) -> bool:
        return self.cards or self.emails or self.phones or self.cn_ids or self.ibans or bool(self.custom)


@dataclass
class Result:
    text: str
    kinds: list[str]


def _sub(pattern: re.Pattern, text: str, check, label, kinds: list[str], kind: str) -> str:
    def replace(match: re.Match) -> str:
        found = match.group(0)
        if not check(found):
            return found
        if kind not in kinds:
            kinds.append(kind)
        return label(found)

    return pattern.sub(replace, text)


def _phones(text: str, region: str, kinds: list[str]) -> str:
    if "+" not in text and not region:
        return text
    out, last = [], 0
    try:
        matches = list(
            phonenumbers.PhoneNumberMatcher(text, region.upper() or None, leniency=phonenumbers.Leniency.VALID)
        )
    except Exception:  # a library failure must not block a message; other finders still ran
        logger.exception("phone number matching failed")
        return text
    for m in matches:
        out.append(text[last : m.start])
        out.append("[redacted phone]")
        last = m.end
    if matches and "phone" not in kinds:
        kinds.append("phone")
    out.append(text[last:])
    return "".join(out)


def redact(text: str, policy: Policy) -> Result:
    """``text`` with what ``policy`` names replaced by labels, and the kinds that were found."""
    kinds: list[str] = []
    if not text or not policy.active:
        return Result(text, kinds)
    if policy.emails:
        text = _sub(EMAIL, text, lambda s: True, lambda s: "[redacted e-mail]", kinds, "email")
    if policy.ibans:
        text = _sub(IBAN, text, iban_ok, lambda s: "[redacted IBAN]", kinds, "iban")
    if policy.cn_ids:
        text = _sub(CN_ID, text, cn_id_ok, lambda s: "[redacted ID number]", kinds, "cn_id")
    if policy.cards:
        text = _sub(
            CARD,
            text,
            lambda s: luhn_ok(re.sub(r"\D", "", s)),
            lambda s: f"[redacted card ending {re.sub(r'[^0-9]', '', s)[-4:]}]",
            kinds,
            "card",
        )
    if policy.phones:
        text = _phones(text, policy.phone_region, kinds)
    for source in policy.custom:
        try:
            pattern = regex.compile(source)
            new = pattern.sub("[redacted]", text, timeout=CUSTOM_TIMEOUT_SECONDS)
        except TimeoutError:
            logger.warning("a custom redaction pattern timed out; the whole text was redacted")
            return Result("[redacted]", [*kinds, "custom"])
        except regex.error:
            continue  # refused when saved (check_patterns); an old bad one is skipped
        if new != text and "custom" not in kinds:
            kinds.append("custom")
        text = new
    return Result(text, kinds)


# A text on which nested quantifiers such as (a+)+$ backtrack exponentially.
_TORTURE = ("a" * 40 + "!", "1" * 40 + "x", " " * 40 + "x", "ab" * 30 + "!")


def check_patterns(patterns: object) -> list[str]:
    """Refuse custom patterns that do not compile, match the empty text, or time out on a text
    made to trip catastrophic backtracking (the timeout still guards the rest at run time)."""
    if not isinstance(patterns, list) or len(patterns) > MAX_CUSTOM_PATTERNS:
        raise ValueError(f"Give a list of at most {MAX_CUSTOM_PATTERNS} patterns.")
    for source in patterns:
        if not isinstance(source, str) or not 1 <= len(source) <= MAX_PATTERN_LENGTH:
            raise ValueError(f"Each pattern is a string of 1 to {MAX_PATTERN_LENGTH} characters.")
        try:
            pattern = regex.compile(source)
        except regex.error as exc:
            raise ValueError(f"{source!r} is not a valid pattern: {exc}") from exc
        if pattern.fullmatch(""):
            raise ValueError(f"{source!r} matches the empty text.")
        for text in _TORTURE:
            try:
                pattern.search(text, timeout=CUSTOM_TIMEOUT_SECONDS)
            except TimeoutError as exc:
                raise ValueError(f"{source!r} takes too long to run (catastrophic backtracking).") from exc
    return patterns
