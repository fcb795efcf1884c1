"""Turn text of either language (English, Simplified Chinese) into search terms.

One job: the same text always gives the same terms, so that a document and a question meet on
them. PostgreSQL's ``simple`` configuration splits on spaces, and Chinese has none, so Chinese
runs are cut into words with ``jieba`` (its dictionary ships inside the package; nothing is
downloaded). Latin words are case-folded and lightly stemmed ("refunds", "refunded" and
"refunding" all become "refund"), which ``simple`` does not do either. The knowledge base
indexes articles with this, and transcript search can reuse it; it imports nothing of the apps.

Without ``jieba`` (not installed, or it fails to load) Chinese falls back to overlapping
character pairs, which match less precisely but never fail.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

log = logging.getLogger(__name__)

# Han ideographs (with the compatibility block); runs of them are segmented as Chinese.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_HAN}]+|[^\W_{_HAN}]+", re.UNICODE)
_HAN_RUN = re.compile(rf"^[{_HAN}]+$")
_CJK_ANY = re.compile(rf"[{_HAN}]")

# Words that carry no topic. Kept small on purpose: rarer words are handled by the ranking.
STOPWORDS = frozenset(
    """
    a an the and or but if then so of to in on at by for with from about as into over than that this these those
    is are was were be been being am do does did doing have has had having can could would should will shall may
    might must i me my mine we us our you your yours he him his she her it its they them their what which who whom
    whose when where why how there here not no yes please hi hello hey thanks thank any some all just also
    very too
    get got im ive id dont doesnt cant wont isnt
    的 了 吗 呢 吧 啊 呀 么 是 我 你 您 他 她 它 我们 你们 他们 这 那 这个 那个 在 和 与 及 或 就 都 也 还 要 想 请 请问
    一下 一个 时候 有 没有 怎么 怎样 如何 什么 为什么 哪里 哪 可以 能 能否 是否
    我要 我想 想要 你好 您好 麻烦
    会 得 地 着 过 把 被 给 对 从 到 上 下 里 中
    """.split()
)


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds any Han character (then ``simple`` full-text search cannot split it)."""
    return bool(_CJK_ANY.search(text))


def normalize(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def stem(word: str) -> str:
    """A light English stemmer: folds the common inflections onto one form.

    Deliberately simple (plural, -ing, -ed, -ly, a final e) so that it is predictable for the
    people who write articles; it only has to map a word and its inflections to the same term.
    """
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + replacement
            break
    else:
        if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
            word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # shipping -> shipp -> ship
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]  # change / changed / changing -> chang
    return word


# --- Chinese ---------------------------------------------------------------------------------

_jieba = None
_jieba_lock = threading.Lock()
_jieba_failed = False


def _load_jieba():
    """jieba, initialised once per process (its dictionary takes about half a second)."""
    global _jieba, _jieba_failed
    if _jieba is not None or _jieba_failed:
        return _jieba
    with _jieba_lock:
        if _jieba is None and not _jieba_failed:
            try:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
            except Exception:  # any failure: fall back to character pairs, never break search
                log.exception("jieba could not load; Chinese search falls back to character pairs")
                _jieba_failed = True
    return _jieba


def warm_up() -> bool:
    """Load the Chinese dictionary now (in a worker's start-up) instead of on the first search."""
    return _load_jieba() is not None


def _chinese_terms(run: str) -> list[str]:
    jieba = _load_jieba()
    if jieba is not None:
        return [w for w in jieba.cut_for_search(run) if w.strip()]
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


# --- public ------------------------------------------------------------------------------------


def search_terms(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """The search terms of ``text``, in order (repeats kept, so callers can count them)."""
    terms: list[str] = []
    for run in _RUNS.findall(normalize(text or "")):
        words = _chinese_terms(run) if _HAN_RUN.match(run) else [run]
        for word in words:
            if not keep_stopwords and word in STOPWORDS:
                continue
            terms.append(stem(word))
    return terms


def message_search_terms(text: str) -> str:
    """What a transcript entry stores for search: its segmented terms when it has Chinese, else "".

    Texts without Han characters are searched by PostgreSQL's own full-text search over the text
    itself (spaces already split them), so only the others pay for segmentation and storage.
    """
    return search_document([text]) if has_cjk(text) else ""


def search_document(texts: Iterable[str]) -> str:
    """The terms of ``texts`` joined by spaces: a column that ``simple`` full-text search can split."""
    return " ".join(term for text in texts for term in search_terms(text))
