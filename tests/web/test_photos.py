"""Photos: only real JPEG/PNG/WebP within the limits; EXIF gone, orientation kept; thumbnails."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from civicgrid.errors import Invalid
from civicgrid.photos import service as photos
from civicgrid.settings import Settings
from tests.web.test_staff_pages import file_case


def png_bytes(size: tuple[int, int] = (400, 300), mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)).save(
        out, "PNG"
    )
    return out.getvalue()


def _jpeg(orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 43.0, 12.0)}
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    Image.new("RGB", (800, 400), (200, 0, 0)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_exif_is_stripped_and_orientation_applied(settings: Settings) -> None:
    clean = photos.clean(_jpeg(orientation=6), settings=settings)
    with Image.open(io.BytesIO(clean.data)) as image:
        assert not image.getexif()
        assert image.size == (400, 800)  # turned upright as the phone meant it
    with Image.open(io.BytesIO(clean.thumbnail)) as thumb:
        assert max(thumb.size) <= 320
    assert clean.content_type == "image/jpeg"


def test_png_keeps_transparency_and_webp_is_accepted(settings: Settings) -> None:
    png = photos.clean(png_bytes(), settings=settings)
    with Image.open(io.BytesIO(png.data)) as image:
        assert image.mode == "RGBA"
    out = io.BytesIO()
    Image.new("RGB", (50, 50)).save(out, "WEBP")
    assert photos.clean(out.getvalue(), settings=settings).content_type == "image/webp"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not an image at all", "not a readable image"),
        (b"GIF89a" + png_bytes()[6:], "not a readable image"),
    ],
)
def test_other_files_are_refused(settings: Settings, raw: bytes, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        photos.clean(raw, settings=settings)


def test_gif_is_refused_by_format(settings: Settings) -> None:
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "GIF")
    with pytest.raises(Invalid, match="GIF file"):
        photos.clean(out.getvalue(), settings=settings)


def test_size_and_pixel_limits(settings: Settings) -> None:
    small = settings.model_copy(update={"photo_max_bytes": 1024, "photo_max_pixels": 10_000})
    with pytest.raises(Invalid, match="at most 1 KB"):
        photos.clean(b"x" * 2048, settings=small)
    with pytest.raises(Invalid, match="pixels"):
        photos.clean(png_bytes((200, 200), "RGB"), settings=small)


def test_at_most_three_photos_per_case(session: Session, settings: Settings, city: object) -> None:
    case = file_case(session, settings)
    clean = photos.clean(png_bytes(), settings=settings)
    for _ in range(3):
        photos.store(session, case_id=case.id, photo=clean, settings=settings)
    with pytest.raises(Invalid, match="at most 3"):
        photos.store(session, case_id=case.id, photo=clean, settings=settings)
    assert photos.count(session, case_id=case.id) == 3
