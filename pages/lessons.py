"""Lessons: a guided path through the ideas, one setup per step (nnlab/lessons.py).

"Load this setup" opens the Train page with the lesson's link (pages/share.py
applies it), so a step's setup can also be shared, bookmarked or reopened."""
import streamlit as st
from streamlit.errors import StreamlitAPIException

from nnlab import lessons, sharelink
from pages import common, controls

PAGE_FILES = {"train": "pages/train.py", "sweep": "pages/sweep.py"}  # the pages links open


def lesson_link(lesson: dict, page: str = "train", values: dict | None = None) -> list:
    """The query parameters of a lesson's setup on `page` ([(name, text)])."""
    return sharelink.encode(page, {**lessons.setup(lesson), **(values or {})}, base=controls.START)


def open_page(page: str, params: list):
    common.clear_model()  # a lesson starts a new model (Compare keeps the last one's curves)
    st.switch_page(PAGE_FILES[page], query_params=params)


def other_page_ui(i: int, lesson: dict, link: dict):
    """A link to another page with this setup; one to a page the app does not have is left out."""
    if link["page"] in sharelink.PAGES:
        if st.button(link["label"], key=f"lesson_{i}_{link['page']}", icon=":material/open_in_new:"):
            open_page(link["page"], lesson_link(lesson, link["page"], link.get("values")))
        return
    try:
        st.page_link(link["page"], label=link["label"], icon=":material/open_in_new:")
    except StreamlitAPIException:  # not among the app's pages (yet)
        pass


def lessons_page():
    common.frame()
    st.title("Lessons")
    st.markdown("Six steps from the simplest network to the tricks that make deep ones work, on the 8x8 "
                "handwritten digits. Each step explains one idea, shows its formula and loads a setup into "
                "the **Train** page, with a question to try there. Each run takes a few seconds.")
    for i, lesson in enumerate(lessons.LESSONS):
        with st.expander(f"**{i + 1}. {lesson['title']}**", expanded=i == 0):
            st.markdown(lesson["text"])
            st.latex(r"\begin{gathered}" + lesson["formula"] + r"\end{gathered}")
            if st.button("Load this setup", key=f"lesson_{i}", type="primary", icon=":material/school:",
                         help="Open the Train page with this lesson's settings (the current model is replaced)."):
                open_page("train", lesson_link(lesson))
            st.markdown(f":material/help: **Try it:** {lesson['question']}")
            for link in lesson.get("links", []):
                other_page_ui(i, lesson, link)


lessons_page()
