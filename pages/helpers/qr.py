"""A link as a QR code, for the room to scan off the projector.  Not a page.

segno (pure Python, no dependencies) makes the code; it is written as a PNG in
memory and shown with st.image.
"""
from __future__ import annotations

import io

import segno


def png(text: str, scale: int = 6) -> bytes:
    """`text` as a QR code, a PNG image (`scale` pixels a module, the standard quiet zone of 4)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
