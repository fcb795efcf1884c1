"""The optional language-model backend against a small OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.answering import Answer, Handoff, decide
from bot.choices import HandoffReason
from bot.llm import LlmConfig
from bot.redaction import redact

pytestmark = pytest.mark.django_db


class ChatServer:
    """Answers POST /v1/chat/completions like an OpenAI-compatible server, and records requests."""

    def __init__(self, reply: str = "Ask within 30 days and the money is back in 5 business days.", delay=0.0):
        self.reply, self.delay, self.requests = reply, delay, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                time.sleep(server.delay)
                data = json.dumps({"choices": [{"message": {"role": "assistant", "content": server.reply}}]})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                try:
                    self.wfile.write(data.encode())
                except OSError:
                    pass  # the bot gave up waiting

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def config(url: str, timeout: float = 2.0) -> LlmConfig:
    return LlmConfig(url=url, model="tiny", api_key="sk-test", timeout=timeout)


def test_the_model_words_the_answer_from_the_article_and_never_sees_personal_data(kb):
    with ChatServer() as server:
        answer = decide(
            question="Refund please: I want my money back for my order "
            "(Vera Visser, vera@example.com, +31 6 1234 5678)",
            locale="en",
            llm=config(server.url),
            contact_names=("Vera Visser",),
        )
    assert isinstance(answer, Answer) and answer.slug == "refund-policy"
    assert answer.text == "Ask within 30 days and the money is back in 5 business days."
    assert answer.snippet.startswith("You can ask for a refund")  # the link and quote stay the article's
    [request] = server.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "tiny"
    sent = json.dumps(body, ensure_ascii=False)
    for secret in ("vera@example.com", "1234 5678", "Vera", "Visser"):
        assert secret not in sent
    assert "[email]" in body["messages"][1]["content"] and "[name]" in body["messages"][1]["content"]
    assert "within 30 days of delivery" in body["messages"][0]["content"]  # the article is the only source
    assert "English" in body["messages"][0]["content"]


def test_the_model_saying_no_answer_hands_off(kb):
    with ChatServer(reply="NO_ANSWER") as server:
        result = decide(question="I want my money back for my order", locale="en", llm=config(server.url))
    assert isinstance(result, Handoff) and result.reason == HandoffReason.LOW_CONFIDENCE


def test_a_model_that_is_down_hands_off_at_once(kb):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    result = decide(question="I want my money back for my order", locale="en", llm=config(f"http://127.0.0.1:{port}"))
    assert isinstance(result, Handoff) and result.reason == HandoffReason.BOT_ERROR
    assert time.monotonic() - started < 1


def test_a_slow_model_hands_off_within_a_second(kb):
    with ChatServer(delay=3) as server:
        started = time.monotonic()
        result = decide(question="I want my money back for my order", locale="en", llm=config(server.url, 0.5))
        elapsed = time.monotonic() - started
    assert isinstance(result, Handoff) and result.reason == HandoffReason.BOT_ERROR
    assert elapsed < 1


def test_the_model_is_off_unless_configured(kb, settings):
    assert LlmConfig.from_settings() is None
    settings.BOT = {**settings.BOT, "LLM_URL": "http://127.0.0.1:9/v1/", "LLM_TIMEOUT_SECONDS": 0.3}
    assert LlmConfig.from_settings().url == "http://127.0.0.1:9/v1"


def test_redaction():
    text = "Card 4111 1111 1111 1111, order NW-48877 of 3 bags, mail a.b+c@shop.example, see https://x.example/t?k=1"
    clean = redact(text)
    assert "4111" not in clean and "a.b+c@shop.example" not in clean and "k=1" not in clean
    assert "NW-48877" in clean and "3 bags" in clean
