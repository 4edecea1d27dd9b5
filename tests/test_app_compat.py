"""The one Streamlit workaround (pages/helpers/streamlit_compat.py), without a browser."""
import pytest

from pages.helpers import streamlit_compat


class Manager:  # stands in for streamlit.runtime.pages_manager.PagesManager
    uses_pages_directory = None


def test_pages_folder_mode_is_left_once_per_session():
    Manager.uses_pages_directory = True
    state, reruns = {}, []
    assert streamlit_compat.leave_pages_folder_mode(Manager, state, lambda: reruns.append(1))
    assert Manager.uses_pages_directory is False and reruns == [1] and state["left_pages_folder_mode"]
    Manager.uses_pages_directory = True  # AppTest sets it again before every run...
    assert streamlit_compat.leave_pages_folder_mode(Manager, state, lambda: reruns.append(1))
    assert Manager.uses_pages_directory is False and reruns == [1]  # ...cleared, but no second rerun


@pytest.mark.parametrize("flag", [None, False])
def test_outside_pages_folder_mode_nothing_happens(flag):
    Manager.uses_pages_directory = flag
    state = {}
    assert not streamlit_compat.leave_pages_folder_mode(Manager, state, lambda: pytest.fail("reran"))
    assert state == {}


def test_a_streamlit_without_the_flag_or_the_module_just_runs_the_page(monkeypatch):
    class Renamed:  # a Streamlit that dropped the private attribute: AttributeError
        pass

    assert not streamlit_compat.leave_pages_folder_mode(Renamed, {}, lambda: pytest.fail("reran"))
    monkeypatch.setattr(streamlit_compat, "_pages_manager", lambda: None)  # no such module: ImportError
    assert not streamlit_compat.leave_pages_folder_mode(None, {}, lambda: pytest.fail("reran"))


def test_the_installed_streamlit_still_has_the_flag_the_workaround_writes():
    """If this fails, Streamlit changed its pages manager: check whether a deep link
    into pages/ still needs the workaround, and update the versions in its comment."""
    from streamlit.runtime.pages_manager import PagesManager

    assert "uses_pages_directory" in vars(PagesManager)
