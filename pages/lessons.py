"""Lessons: a guided path through the ideas, one setup per step (pages/helpers/lessons_text.py).

"Load this setup" applies the lesson's link (pages/helpers/share.py) and opens the Train
page with it in the address bar, so a step's setup can also be shared or bookmarked.
Train then shows which lesson its controls hold, its question, and ways back (the
lesson, or the controls as they were before the first lesson: pages/train.py)."""
import streamlit as st
from streamlit.errors import StreamlitAPIException

from nnlab.experiments import sharelink
from pages.helpers import common, controls, errors, share, state
from pages.helpers import lessons_text as lessons

PAGE_FILES = {"train": "pages/train.py", "sweep": "pages/sweep.py",  # the pages links open
              "playground": "pages/playground.py"}


def lesson_link(lesson: dict, page: str = "train", values: dict | None = None) -> list:
    """The query parameters of a lesson's setup on `page` ([(name, text)])."""
    return sharelink.encode(page, {**lessons.setup(lesson), **(values or {})}, base=share.start(page))


def _load(params: list, page: str = "train", lesson: int | None = None):
    """Button callback (before any widget is drawn): the lesson's setup into the controls."""
    s = st.session_state
    # the learner's own setup, to come back to (from before the first of several lessons)
    before = s.lesson_before if s.lesson is not None else \
        {k: s[k] for k in s if isinstance(k, str) and k.startswith(controls.K)}
    share.load({name: [text] for name, text in params}, again=True, page=page)
    if page != "playground":  # (the Playground's model is its own: its new setup makes a new one)
        state.clear_model()  # a lesson starts a new model (Compare keeps the last one's curves)
        s.lesson, s.lesson_before = lesson, before


def load_button(label: str, key: str, page: str, params: list, lesson: int | None = None, **kwargs):
    """A button that loads `params` (lesson number `lesson`'s) and opens `page` with them in the
    address bar (to share or reload)."""
    if st.button(label, key=key, on_click=_load, args=(params, page, lesson), **kwargs):
        st.switch_page(PAGE_FILES[page], query_params={name: text for name, text in params})


def other_page_ui(i: int, lesson: dict, link: dict):
    """A link to another page with this setup; one to a page the app does not have is left out."""
    if link["page"] in sharelink.PAGES:
        load_button(link["label"], f"lesson_{i}_{link['page']}", link["page"],
                    lesson_link(lesson, link["page"], link.get("values")), lesson=i, icon=":material/open_in_new:")
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
        with st.expander(f"**{i + 1}. {lesson['title']}**", expanded=i == (st.session_state.lesson or 0)):
            st.markdown(lesson["text"])
            st.latex(r"\begin{gathered}" + lesson["formula"] + r"\end{gathered}")
            load_button("Load this setup", f"lesson_{i}", "train", lesson_link(lesson), lesson=i, type="primary",
                        icon=":material/school:",
                        help="Open the Train page with this lesson's settings (the current model is replaced).")
            st.markdown(f":material/help: **Try it:** {lesson['question']}")
            for link in lesson.get("links", []):
                other_page_ui(i, lesson, link)


errors.run(lessons_page)
