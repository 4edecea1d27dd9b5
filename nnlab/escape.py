"""User text (a run's name, a file's name) shown as itself, never as markup.

    escape.chart("<b>my run</b>")     # "&lt;b&gt;my run&lt;/b&gt;": plotly draws it literally
    escape.markdown("my *best* run")  # "my \\*best\\* run": st.markdown shows the stars

Plotly reads HTML tags (<b>, <br>, <a>) in legend, hover and annotation text;
Markdown reads *, _, `, [..](..), $..$ (maths), :red[..] and a leading #.  Every
place a user's text reaches a chart or Markdown goes through one of these two.
"""
from __future__ import annotations

import re

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones
# Markdown, GitHub's extensions and Streamlit's directives (:red[..], $..$) read.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&])")


def chart(text) -> str:
    """`text` for a plotly label (legend, hover, annotation): < > & as entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown(text) -> str:
    """`text` for st.markdown (and captions, alerts, toasts): Markdown's special
    characters backslash-escaped, line breaks as spaces."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))
