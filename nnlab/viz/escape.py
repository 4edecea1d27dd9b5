"""User text (a run's name, a file's name) shown as itself, never as markup.

    escape.chart("<b>my run</b>")     # "&lt;b&gt;my run&lt;/b&gt;": plotly draws it literally
    escape.markdown("my *best* run")  # "my \\*best\\* run": st.markdown shows the stars

Plotly reads HTML tags (<b>, <br>, <a>) in legend, hover and annotation text;
Markdown reads *, _, `, [..](..), $..$ (maths), :red[..] and a leading #.  Every
place a user's text reaches a chart or Markdown goes through one of these two.
"""
from __future__ import annotations

import re

# CommonMark lets a backslash escape any ASCII punctuation.  Inside a line these are the
# ones Markdown, GitHub's extensions and Streamlit's directives (:red[..], $..$) read ...
_INLINE = re.compile(r"([\\`*_\[\]<>|~$:&])")
# ... and these only open a block at the start of the text (a heading, a list, a quote):
# "1. run" or "- run" at the start would become a list, "run 1." or "my-run" stay as they are.
_BLOCK_MARK = re.compile(r"^([#+=-])")
_LIST_NUMBER = re.compile(r"^(\d+)([.)])")


def chart(text) -> str:
    """`text` for a plotly label (legend, hover, annotation): < > & as entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown(text) -> str:
    """`text` for st.markdown (and captions, alerts, toasts): Markdown's special
    characters backslash-escaped, line breaks as spaces."""
    text = _INLINE.sub(r"\\\1", " ".join(str(text).split()))
    return _LIST_NUMBER.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\\\1", text))
