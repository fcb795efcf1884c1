"""Recognise a visitor asking for a person, in English or Chinese.

A bot that keeps answering someone who asked for a human is the most common complaint about
support bots, so this errs on the side of handing off: the bare words "human", "agent",
"representative", "operator" count, and so do phrases such as "talk to someone". Chinese has
no word boundaries, so its phrases are matched as substrings ("人工", "转人工", "真人", "人工客服").
"""

from __future__ import annotations

import re
import unicodedata

_ENGLISH = re.compile(
    r"\b(?:humans?|agents?|representatives?|reps?|operators?|live (?:chat|support|person)|real (?:person|people)"
    r"|(?:talk|speak|chat|connect|transfer|put|get)(?: me)?(?: through)? (?:to|with) (?:a |an |the |your )?"
    r"(?:someone|somebody|person|people|staff|support|team|customer service|manager|supervisor))\b",
    re.IGNORECASE,
)
_CHINESE = ("人工", "真人", "活人", "客服人员", "找客服", "转客服", "接客服", "联系客服", "在线客服", "工作人员")


def asks_for_human(text: str) -> bool:
    normal = unicodedata.normalize("NFKC", text or "")
    return bool(_ENGLISH.search(normal)) or any(phrase in normal for phrase in _CHINESE)
