"""The per-inbox pre-chat form: what an inbox may ask before a chat, and checking the answers.

Kept apart from the services because the admin checks the configuration with the same rules the
widget's answers are checked against. ``name`` and ``email`` fill the contact; any other key is
stored in the contact's attributes (where routing rules can match on it).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

FIELD_TYPES = ("text", "email", "tel", "select")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 12
MAX_ANSWER = 500
CONTACT_KEYS = ("name", "email")


def check_config(fields: Any) -> list[dict[str, Any]]:
    """Validate an inbox's ``prechat_fields``; raise ValueError with a sentence saying what is wrong."""
    if not isinstance(fields, list) or len(fields) > MAX_FIELDS:
        raise ValueError(f"The pre-chat form is a list of at most {MAX_FIELDS} fields.")
    seen = set()
    for field in fields:
        if not isinstance(field, dict):
            raise ValueError("Each pre-chat field is an object with a key and a label.")
        key = field.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise ValueError("A field's key is lower-case letters, digits and _, starting with a letter.")
        if key in seen:
            raise ValueError(f"The key {key!r} appears twice.")
        seen.add(key)
        if not isinstance(field.get("label", ""), str) or len(field.get("label", "")) > 120:
            raise ValueError(f"The label of {key!r} must be text of at most 120 characters.")
        kind = field.get("type", "email" if key == "email" else "text")
        if kind not in FIELD_TYPES:
            raise ValueError(f"The type of {key!r} must be one of {', '.join(FIELD_TYPES)}.")
        if kind == "select":
            options = field.get("options")
            if not isinstance(options, list) or not options or not all(isinstance(o, str) for o in options):
                raise ValueError(f"The select field {key!r} needs a non-empty list of text options.")
        if not isinstance(field.get("required", False), bool):
            raise ValueError(f"'required' of {key!r} must be true or false.")
    return fields


def public_config(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The form as the widget gets it: every field with its type and required flag spelled out."""
    out = []
    for field in fields:
        key = field["key"]
        item = {
            "key": key,
            "label": field.get("label") or key.replace("_", " ").capitalize(),
            "type": field.get("type", "email" if key == "email" else "text"),
            "required": bool(field.get("required", False)),
        }
        if item["type"] == "select":
            item["options"] = list(field["options"])
        out.append(item)
    return out


def clean_answers(
    fields: list[dict[str, Any]], answers: Any, *, known: dict[str, str], enforce_required: bool
) -> dict[str, str]:
    """The visitor's answers, checked against the form. ``known`` holds what the contact already
    gave (name, email), which satisfies a required field. Unknown keys are refused."""
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise ValidationError("fields must be an object of answers.")
    by_key = {f["key"]: f for f in public_config(fields)}
    unknown = set(answers) - set(by_key)
    if unknown:
        raise ValidationError(f"Unknown pre-chat field {sorted(unknown)[0][:40]!r}.")
    cleaned: dict[str, str] = {}
    for key, field in by_key.items():
        value = answers.get(key)
        if value is not None and not isinstance(value, str):
            raise ValidationError(f"{field['label']} must be text.")
        value = (value or "").strip()
        if len(value) > MAX_ANSWER:
            raise ValidationError(f"{field['label']} is longer than {MAX_ANSWER} characters.")
        if key == "name" and len(value) > 120:
            raise ValidationError("The name is longer than 120 characters.")
        if not value:
            if field["required"] and enforce_required and not known.get(key):
                raise ValidationError(f"{field['label']} is required.")
            continue
        if field["type"] == "email" or key == "email":
            validate_email(value)
        if field["type"] == "select" and value not in field["options"]:
            raise ValidationError(f"{field['label']}: choose one of the options.")
        cleaned[key] = value
    return cleaned
