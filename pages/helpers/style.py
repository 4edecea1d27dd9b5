"""The page's frame on projectors and phones: less empty space above and beside
the content, so a 1280x720 projector shows Train's buttons, progress and charts
without scrolling and a 1024x768 one has room for Draw's canvas beside its
prediction.

Streamlit has no setting for the main area's padding (6rem above, 5rem on each
side in wide mode) and a page title's size; one small style block changes only
those.  (The theme's headingFontSizes would do the title, but any [theme] entry
turns the progress bar red, the colour of an error.)

Chart text in the page's own text colour, light or dark: Streamlit's chart theme
draws axis titles, tick labels and notes in a grey that is 3.7:1 on the light
theme's white (WCAG asks 4.5:1; faint on a projector), and a colour set in the
figure would not follow a theme switched from the menu (Streamlit recolours only
its own defaults then).  `currentColor` follows it at once (docs/themes.md).
Heatmap cells keep plotly's own black-or-white text, chosen against each cell.

Streamlit's running-status widget (its "Running… Stop" in the header) stays hidden,
as toolbarMode "minimal" hid it: a second Stop beside the page's own confused
learners.  "viewer" is set instead only to keep the menu's Light / Dark choice
(.streamlit/config.toml).

A script-only st.html (streamlit_compat.reload_after_reconnect) has no height but its
element container would still take one gap (1rem) above the title: it is hidden (a
script runs once inserted, shown or not).
"""
import streamlit as st

CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-bottom: 4rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.25rem; padding-top: 0.5rem; }
.js-plotly-plot .main-svg text[class$="title"], .js-plotly-plot .main-svg g[class$="tick"] > text,
.js-plotly-plot .legendtext, .js-plotly-plot .annotation-text, .js-plotly-plot .bartext {
  fill: currentColor !important;
}
[data-testid="stStatusWidget"] { display: none; }
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script:only-child) { display: none; }
@media (min-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-left: 2rem; padding-right: 2rem; }
}
</style>
"""


def apply():
    st.html(CSS)  # style only: Streamlit adds it to the page without taking any room
