"""Files sent in conversations: what may be uploaded, and how it is stored.

The type is decided from the file's first bytes (its magic number), never from its name or the
content type the browser claims, and images must really decode. Only types that a browser cannot
turn into active content are accepted (no HTML, no SVG). Stored names are random; the name shown
to people is the uploaded one made safe. The write itself is ``chat.services.attachment_upload``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from chat.errors import ServiceError

# content type -> (extension, is an image to decode)
ALLOWED = {
    "image/png": (".png", True),
    "image/jpeg": (".jpg", True),
    "image/gif": (".gif", True),
    "image/webp": (".webp", True),
    "application/pdf": (".pdf", False),
    "application/zip": (".zip", False),
    "text/plain": (".txt", False),
}
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
SNIFF_BYTES = 4096


@dataclass(frozen=True)
class Checked:
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None


def sniff(head: bytes) -> str | None:
    """The content type the first bytes prove, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if _plain_text(head):
        return "text/plain"
    return None


def _plain_text(head: bytes) -> bool:
    """UTF-8 text without control characters other than whitespace, and nothing a browser would
    take for markup at the start (a sniffing browser could render it as HTML)."""
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return False
        text = head[: exc.start].decode("utf-8")
    if text.lstrip().startswith("<"):
        return False
    return all(ch in "\t\n\r\f" or unicodedata.category(ch) != "Cc" for ch in text)


def safe_name(name: str, extension: str) -> str:
    """The uploaded name reduced to its last path part, without control or path characters,
    at most 120 characters, ending in the extension of the type really found."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r'[<>:"|?*;]', "_", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[: 120 - len(extension)].strip(" .") or "file"
    return stem + extension


def check_upload(upload: UploadedFile) -> Checked:
    """Refuse what is too big, of a type not allowed, or an image that does not decode."""
    limit = settings.HELPDESK["MAX_ATTACHMENT_BYTES"]
    if upload.size is None or upload.size > limit:
        raise ServiceError("file_too_large", f"Files are limited to {limit // (1024 * 1024)} MB.", status=413)
    if upload.size == 0:
        raise ServiceError("invalid_file", "The file is empty.", status=400)
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None:
        raise ServiceError(
            "unsupported_file_type",
            "This type of file is not accepted. Send an image (PNG, JPEG, GIF, WebP), a PDF, a ZIP or a text file.",
            status=415,
        )
    extension, is_image = ALLOWED[content_type]
    if not is_image:
        return Checked(content_type, extension)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            width, height = image.size
            found = IMAGE_FORMATS.get(image.format or "")
            if width * height > settings.HELPDESK["MAX_IMAGE_PIXELS"]:
                raise ServiceError("invalid_file", "The image has too many pixels.", status=400)
            image.verify()
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ServiceError("invalid_file", "The image is damaged or not really an image.", status=400) from exc
    finally:
        upload.seek(0)
    if found != content_type:
        raise ServiceError("invalid_file", "The image is damaged or not really an image.", status=400)
    return Checked(content_type, extension, width, height)
