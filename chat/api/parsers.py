"""The REST API's JSON parser: DRF's, plus the one rule on unstorable text (chat/unicode.py)."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from chat.unicode import INVALID_TEXT_MESSAGE, unstorable_text


class InvalidText(exceptions.ParseError):
    default_code = "invalid_text"


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if unstorable_text(data):
            raise InvalidText(INVALID_TEXT_MESSAGE)
        return data
