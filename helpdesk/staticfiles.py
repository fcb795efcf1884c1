"""How ``collectstatic`` prepares the static files for production: hashed names, compressed copies,
and ES modules whose imports name the hashed files.

WhiteNoise serves hashed names (``app.3f9c….js``) with a one-year, immutable cache lifetime, and
a gzip copy to clients that accept it. The scripts are ES modules without a build step, so their
``import`` statements must name the hashed files too: Django rewrites static and dynamic imports
(``support_js_module_import_aggregation``), and this storage also rewrites
``new URL("./file", base)``, the standard way for a script to name a file beside it (the widget's
stylesheet; the module the loader imports).

The collected scripts leave out their whole-line comments (``//`` lines and ``/* */`` blocks that
start a line; ``/*!`` banners stay): they are for people reading the sources, and a visitor's first
download of the widget has a budget (tests/browser/test_static_files.py). Nothing else changes, so
a collected module reads, and runs, as its source does.

Embedders load the widget from a stable address, ``widget/loader.js``, which WhiteNoise serves with
a short cache lifetime. That file is replaced by its hashed copy, whose import names the hashed
modules: the stable address always starts the matching, long-cached modules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.core.files.base import ContentFile
from whitenoise.storage import CompressedManifestStaticFilesStorage

# `new URL("./widget.css", import.meta.url)`: a file named relative to a base URL, here the module's
# own; the loader uses its script's src, since a classic script from another origin has no base URL
# for a relative import().
_RELATIVE_URL = (
    r"""(?P<matched>new URL\(\s*["'](?P<url>\.{1,2}/[^"']+)["']\s*,\s*(?P<base>[\w.]+)\s*\))""",
    """new URL("%(url)s", %(base)s)""",
)

# Whole-line comments: a `//` line, or a `/* ... */` block that starts a line (not a `/*!` banner).
_LINE_COMMENTS = re.compile(r"^[ \t]*(?://(?!!).*|/\*(?!!)[\s\S]*?\*/[ \t]*)\n", re.M)


def strip_comment_lines(source: str) -> str:
    return _LINE_COMMENTS.sub("", source)


# Files embedders reference by their unhashed name.
STABLE_NAMES = ("widget/loader.js",)


class ModuleManifestStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
    # Each level of imports takes one pass to settle its hashes; the modules are at most a few deep.
    max_post_process_passes = 8
    patterns = (*CompressedManifestStaticFilesStorage.patterns, ("*.js", (_RELATIVE_URL,)))

    def _save(self, name: str, content: Any) -> str:
        if name.endswith(".js"):
            content.seek(0)
            content = ContentFile(strip_comment_lines(content.read().decode("utf-8")).encode())
        return super()._save(name, content)

    def post_process(self, paths: dict[str, Any], dry_run: bool = False, **options: Any) -> Iterator[tuple]:
        yield from super().post_process(paths, dry_run=dry_run, **options)
        if dry_run:
            return
        for name in STABLE_NAMES:
            if name not in paths:
                continue
            with self.open(self.stored_name(name)) as hashed:
                content = hashed.read()
            self.delete(name)
            self._save(name, ContentFile(content))
            for original, compressed in self.compress_files([name]):
                yield original, compressed, True
