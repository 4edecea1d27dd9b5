"""The page's frame on projectors and phones: less empty space above and beside
the content, so a 1280x720 projector shows Train's buttons, progress and charts
without scrolling and a 1024x768 one has room for Draw's canvas beside its
prediction.

Streamlit has no setting for the main area's padding (6rem above, 5rem on each
side in wide mode) and a page title's size; one small style block changes only
those.  (The theme's headingFontSizes would do the title, but any [theme] entry
turns the progress bar red, the colour of an error.)
"""
import streamlit as st

CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-bottom: 4rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.25rem; padding-top: 0.5rem; }
@media (min-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-left: 2rem; padding-right: 2rem; }
}
</style>
"""


def apply():
    st.html(CSS)  # style only: Streamlit adds it to the page without taking any room
