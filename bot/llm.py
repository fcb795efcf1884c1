"""The optional language-model backend: words an answer from the retrieved articles only.

Off unless ``settings.BOT["LLM_URL"]`` is set. It speaks the OpenAI-compatible chat-completions
protocol over plain HTTP(S) (``POST {LLM_URL}/chat/completions``), so any such server will do. The
visitor's question is redacted (``bot.redaction``) before it is sent; the articles are ours and
public. Retrieval has already decided that an article answers: the model only rewords it, and
says NO_ANSWER when the articles do not hold the answer. Any failure (refused, slow past the
timeout, a bad reply) raises ``LlmError``, and the bot hands off.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from bot.redaction import redact

NO_ANSWER = "NO_ANSWER"
MAX_ARTICLE_CHARS = 4000
LANGUAGES = {"en": "English", "zh-hans": "Simplified Chinese"}


class LlmError(Exception):
    """The model could not give an answer in time."""


class NoAnswer(Exception):
    """The model read the articles and found no answer in them."""


@dataclass(frozen=True)
class LlmConfig:
    url: str
    model: str
    api_key: str
    timeout: float

    @classmethod
    def from_settings(cls) -> LlmConfig | None:
        conf = settings.BOT
        if not conf.get("LLM_URL"):
            return None
        return cls(
            url=conf["LLM_URL"].rstrip("/"),
            model=conf.get("LLM_MODEL", ""),
            api_key=conf.get("LLM_API_KEY", ""),
            timeout=float(conf.get("LLM_TIMEOUT_SECONDS", 5)),
        )


def build_messages(*, question: str, articles: list[tuple[str, str]], locale: str, names=()) -> list[dict]:
    """The chat messages sent: instructions, the articles (title, body), the redacted question."""
    sources = "\n\n".join(f"## {title}\n{body[:MAX_ARTICLE_CHARS]}" for title, body in articles)
    language = LANGUAGES.get(locale, "the customer's language")
    return [
        {
            "role": "system",
            "content": (
                "You are a customer-support assistant. Answer the customer's question using only the "
                "help-centre articles below, briefly (at most three sentences), in "
                f"{language}. If the articles do not answer it, reply with exactly {NO_ANSWER}.\n\n{sources}"
            ),
        },
        {"role": "user", "content": redact(question, names=names)},
    ]


def compose(*, question: str, articles: list[tuple[str, str]], locale: str, config: LlmConfig, names=()) -> str:
    """The model's answer text; raises LlmError (failure) or NoAnswer (the articles do not say)."""
    payload = {
        "model": config.model,
        "messages": build_messages(question=question, articles=articles, locale=locale, names=names),
        "temperature": 0,
        "max_tokens": 300,
    }
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    request = urllib.request.Request(  # noqa: S310  (the URL is the operator's setting, http or https)
        f"{config.url}/chat/completions", data=json.dumps(payload).encode(), headers=headers, method="POST"
    )
    deadline = time.monotonic() + config.timeout
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:  # noqa: S310
            body = response.read(1_000_000)
        if time.monotonic() > deadline:
            raise LlmError("the language model answered after the timeout")
        text = json.loads(body)["choices"][0]["message"]["content"]
    except LlmError:
        raise
    except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise LlmError(f"the language model failed: {exc}") from exc
    if not isinstance(text, str) or not text.strip():
        raise LlmError("the language model gave an empty answer")
    if NO_ANSWER in text:
        raise NoAnswer()
    return text.strip()
