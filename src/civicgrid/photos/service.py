"""Checking, cleaning and storing photos.

A photo is accepted only when Pillow reads it as JPEG, PNG or WebP within the size and pixel
limits. It is re-encoded from its pixels alone, so EXIF (GPS position, camera, owner) and every
other metadata block are dropped; the EXIF orientation is applied first so it still stands up.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.errors import Invalid, NotFound
from civicgrid.photos import files
from civicgrid.photos.models import Photo
from civicgrid.settings import Settings

MAX_PHOTOS = 3
THUMB_SIZE = (320, 320)
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
EXTENSIONS_BY_TYPE = dict(FORMATS.values())


@dataclass(frozen=True)
class CleanPhoto:
    """A photo ready to store: the re-encoded image and its thumbnail."""

    data: bytes
    thumbnail: bytes
    format: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        """The MIME type of the stored image."""
        return FORMATS[self.format][0]


def clean(raw: bytes, *, settings: Settings, filename: str = "photo") -> CleanPhoto:
    """Check ``raw`` and return it re-encoded without metadata, with a thumbnail."""
    if len(raw) > settings.photo_max_bytes:
        raise Invalid(
            "%(filename)s is %(size_kb)s KB; photos may be at most %(max_kb)s KB",
            params={
                "filename": filename,
                "size_kb": len(raw) // 1024,
                "max_kb": settings.photo_max_bytes // 1024,
            },
            field="photos",
        )
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise Invalid(
            "%(filename)s is not a readable image: send a JPEG, PNG or WebP photo",
            params={"filename": filename},
            field="photos",
        ) from exc
    if fmt not in FORMATS:
        raise Invalid(
            "%(filename)s is a %(format)s file; send a JPEG, PNG or WebP photo",
            params={"filename": filename, "format": fmt or "unknown"},
            field="photos",
        )
    if width * height > settings.photo_max_pixels:
        raise Invalid(
            "%(filename)s has %(width)sx%(height)s pixels; photos may have at most %(max_pixels)s "
            "pixels: make it smaller and send it again",
            params={
                "filename": filename,
                "width": width,
                "height": height,
                "max_pixels": f"{settings.photo_max_pixels:,}",
            },
            field="photos",
        )
    return _reencode(raw, fmt)


def _reencode(raw: bytes, fmt: str) -> CleanPhoto:
    with Image.open(io.BytesIO(raw)) as source:
        upright = ImageOps.exif_transpose(source)
        mode = "RGBA" if fmt != "JPEG" and upright.mode in ("RGBA", "LA", "P") else "RGB"
        pixels = upright.convert(mode)
    image = Image.new(pixels.mode, pixels.size)
    image.paste(pixels)  # a new image: nothing but pixels is carried over
    data = _encode(image, fmt)
    thumb = image.copy()
    thumb.thumbnail(THUMB_SIZE)
    return CleanPhoto(data, _encode(thumb, fmt), fmt, image.width, image.height)


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    options = {"quality": 85} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    image.save(out, format=fmt, **options)
    return out.getvalue()


def photo_dir(settings: Settings) -> Path:
    """Where photo files are kept."""
    return settings.data_dir / "photos"


def store(session: Session, *, case_id: int, photo: CleanPhoto, settings: Settings) -> Photo:
    """Write the photo and its thumbnail to disk and record them for the case.

    The files are deleted again if the transaction that stores the row rolls back.
    """
    if count(session, case_id=case_id) >= MAX_PHOTOS:
        raise Invalid(
            "a report can carry at most %(max_photos)s photos",
            params={"max_photos": MAX_PHOTOS},
            field="photos",
        )
    name = secrets.token_hex(16)
    ext = FORMATS[photo.format][1]
    folder = photo_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    # Removed again if this transaction does not commit (photos.files): no orphan files.
    files.write(session, folder / f"{name}.{ext}", photo.data)
    files.write(session, folder / f"{name}.thumb.{ext}", photo.thumbnail)
    row = Photo(
        case_id=case_id,
        name=name,
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        size_bytes=len(photo.data),
    )
    session.add(row)
    session.flush()
    return row


def count(session: Session, *, case_id: int) -> int:
    """How many photos the case has."""
    return len(list_(session, case_id=case_id))


def list_(session: Session, *, case_id: int) -> list[Photo]:
    """The case's photos in the order they came."""
    return list(session.scalars(select(Photo).where(Photo.case_id == case_id).order_by(Photo.id)))


def file_of(
    session: Session, *, name: str, thumbnail: bool, settings: Settings
) -> tuple[Path, str]:
    """The file on disk and MIME type of photo ``name`` (or its thumbnail)."""
    photo = session.scalar(select(Photo).where(Photo.name == name))
    if photo is None:
        raise NotFound("no such photo")
    ext = EXTENSIONS_BY_TYPE[photo.content_type]
    path = photo_dir(settings) / (f"{name}.thumb.{ext}" if thumbnail else f"{name}.{ext}")
    if not path.exists():
        raise NotFound("the photo's file is missing from the data directory")
    return path, photo.content_type
