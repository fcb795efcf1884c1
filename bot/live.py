"""The bot in live conversations: each visitor message in a conversation the bot holds gets the
bot's answer or a handoff, on threads of the bot's own.

chat sends ``bot_turn`` (a visitor's message) and ``bot_feedback`` ("Did that help?") after
commit; the receivers below hand the work to ``EXECUTOR``, never to the socket's event loop nor
the database thread that carries live chat, so a visitor writing to a human never waits behind
the bot. In a server the turn is scheduled on the server's event loop through asgiref's
``SyncToAsync`` with the bot's executor (as helpdesk/embedded_worker.py does), which keeps the
services' publishes on that loop (chat.realtime) and puts a deadline on the turn; without a
running loop (commands, sync tests) it runs inline.

It fails open to humans, never to silence: ``decide`` turns its own failures into a handoff;
anything else that raises, and a turn past its deadline, hands off with ``bot_error`` on a rescue
thread; a lost turn (a crashed process) is handed off by the watchdog of the timer sweep
(``chat.services.conversations_hand_off_stalled``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import close_old_connections
from django.dispatch import receiver

from bot.answering import Answer, after_feedback, decide
from chat import selectors, services
from chat.choices import HandoffReason
from chat.outages import DATABASE_ERRORS
from chat.realtime import waiting_loop
from chat.segmentation import has_cjk
from chat.signals import bot_feedback, bot_turn
from integrations.webhooks.outbox import outside_bot_endpoint

log = logging.getLogger(__name__)


def _lower_priority() -> None:
    """The bot's threads run at a lower OS priority than the rest of the process (Linux schedules
    threads one by one): when the machine is busy, the event loop and the database thread that
    carry live chat get the CPU first, and the bot's answers wait a little instead."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BOT_NICENESS)
    except (AttributeError, OSError):  # not Linux, or not allowed: the bot runs at normal priority
        pass


# Turns run here, ``BOT["THREADS"]`` at a time (one by default; the encoders keep to one thread
# each), at a lower OS priority: a busy bot yields the CPU to live chat (docs/performance.md,
# "Chat latency while the bot is busy").
BOT_NICENESS = 10
EXECUTOR = ThreadPoolExecutor(
    max_workers=max(1, settings.BOT.get("THREADS", 1)), thread_name_prefix="bot", initializer=_lower_priority
)
# Handoffs after a failure or a missed deadline: never queued behind stuck turns.
RESCUE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bot-rescue")
_running: set[Future] = set()
_warmed = threading.Event()


def turn_timeout() -> float:
    return float(settings.BOT.get("TURN_TIMEOUT_SECONDS", 8))


# --- the turns (synchronous, on the bot's threads) ----------------------------------------------


def question_locale(text: str) -> str:
    """The language to answer in: the question's own (a Chinese question gets the Chinese article)."""
    return "zh-hans" if has_cjk(text) else "en"


def answer_message(conversation_id: int, message_id: int) -> None:
    """Answer one visitor message with an article, or hand off."""
    found = selectors.bot_turn_input(conversation_id=conversation_id, message_id=message_id)
    if found is None:
        return  # handed off, taken over or resolved meanwhile
    conversation, message = found
    if outside_bot_endpoint(conversation.inbox_id) is not None:
        return  # the inbox's outside bot answers through the API (integrations, docs/webhooks.md)
    names = tuple(n for n in (conversation.contact.name,) if n)
    result = decide(
        question=message.text,
        locale=question_locale(message.text),
        not_helpful_in_row=conversation.bot_unhelpful,
        contact_names=names,
    )
    if isinstance(result, Answer):
        text = result.text[: settings.HELPDESK["MAX_MESSAGE_CHARS"]]
        article = {"slug": result.slug, "title": result.title, "url": result.url, "locale": result.locale}
        services.bot_reply(conversation=conversation, text=text, article=article, score=result.score)
    else:
        services.conversation_hand_off(conversation=conversation, reason=result.reason)


def answer_feedback(conversation_id: int, helpful: bool, not_helpful_in_row: int) -> None:
    """ "Yes": the bot resolves the conversation; the second "No" in a row: hand off."""
    conversation = selectors.conversation_held_by_bot(conversation_id=conversation_id)
    if conversation is None:
        return
    _count, handoff = after_feedback(helpful=helpful, not_helpful_in_row=not_helpful_in_row)
    if handoff is not None:
        services.conversation_hand_off(conversation=conversation, reason=handoff.reason)
    elif helpful:
        services.conversation_bot_resolve(conversation=conversation, assumed=False)


def rescue(conversation_id: int, detail: str) -> None:
    """Hand off after the bot failed; if even this fails, the watchdog will."""
    try:
        conversation = selectors.conversation_held_by_bot(conversation_id=conversation_id)
        if conversation is not None:
            services.conversation_hand_off(conversation=conversation, reason=HandoffReason.BOT_ERROR, detail=detail)
    except Exception:
        log.exception("handing conversation %s off after a bot failure failed", conversation_id)


def _guarded(job: Callable[[], None], conversation_id: int, *, own_thread: bool) -> Callable[[], None]:
    """The job with a handoff if it raises; on the bot's own threads, with fresh database
    connections around it (inline, the connection is the caller's)."""

    def run() -> None:
        if own_thread:
            close_old_connections()
        try:
            job()
        except Exception:
            log.exception("the bot's turn in conversation %s failed; handing off", conversation_id)
            rescue(conversation_id, "exception")
        finally:
            if own_thread:
                close_old_connections()

    return run


def _rescue_on_thread(conversation_id: int, detail: str) -> None:
    close_old_connections()
    try:
        rescue(conversation_id, detail)
    finally:
        close_old_connections()


# --- dispatch -----------------------------------------------------------------------------------


async def _run_on_loop(job: Callable[[], None], conversation_id: int) -> None:
    try:
        await asyncio.wait_for(SyncToAsync(job, thread_sensitive=False, executor=EXECUTOR)(), turn_timeout())
    except TimeoutError:
        log.warning("the bot's turn in conversation %s passed its deadline; handing off", conversation_id)
        await SyncToAsync(_rescue_on_thread, thread_sensitive=False, executor=RESCUE)(conversation_id, "timeout")


def dispatch(job: Callable[[], None], *, conversation_id: int) -> None:
    """Run ``job`` on the bot's threads, scheduled on the server's loop; inline without one."""
    loop = waiting_loop()
    if loop is None:
        _guarded(job, conversation_id, own_thread=False)()
        return
    try:
        future = asyncio.run_coroutine_threadsafe(
            _run_on_loop(_guarded(job, conversation_id, own_thread=True), conversation_id), loop
        )
    except RuntimeError:  # the loop is closing: answer here rather than not at all
        _guarded(job, conversation_id, own_thread=False)()
        return
    _running.add(future)
    future.add_done_callback(_running.discard)


@receiver(bot_turn)
def on_bot_turn(sender, *, conversation_id: int, message_id: int, **kwargs) -> None:
    dispatch(lambda: answer_message(conversation_id, message_id), conversation_id=conversation_id)


@receiver(bot_feedback)
def on_bot_feedback(sender, *, conversation_id: int, helpful: bool, not_helpful_in_row: int, **kwargs) -> None:
    dispatch(lambda: answer_feedback(conversation_id, helpful, not_helpful_in_row), conversation_id=conversation_id)


# --- warming up ---------------------------------------------------------------------------------


def warm_up() -> None:
    """Load the encoder, the segmenter and the index now (about 2 s), not on the first question."""
    from chat.segmentation import warm_up as warm_segmentation
    from knowledge.encoder import get_encoder
    from knowledge.index import live_index

    try:
        get_encoder()
        warm_segmentation()
        close_old_connections()
        live_index()
    except DATABASE_ERRORS as exc:  # an outage (chat/outages.py): said once, without a traceback
        log.warning("warming the bot up failed on a database error (%r); the first question loads it", exc)
    except Exception:  # a cold start is slower, not broken: the first turn loads what it needs
        log.exception("warming the bot up failed")
    finally:
        close_old_connections()
        _warmed.set()


def warm_up_in_background() -> Future:
    """Warm up on the bot's thread when a server process starts (helpdesk/asgi.py)."""
    return EXECUTOR.submit(warm_up)
