"""The view state's rules alone (no Qt): which paper is current after a change."""

from __future__ import annotations

from readinglist.gui.view_state import Sort, ViewState, follow


def test_the_current_paper_stays_while_shown():
    assert follow([1, 2, 3], [3, 2, 1], 2) == 2


def test_a_paper_that_left_gives_way_to_the_next_in_view_order():
    assert follow([1, 2, 3, 4], [1, 4], 2) == 4  # 3 left too: the next still shown
    assert follow([1, 2, 3], [1, 2], 3) == 2  # at the end: the previous
    assert follow([1, 2], [], 1) is None
    assert follow([1, 2], [5, 6], None) == 5


def test_choosing_a_sort_again_reverses_it():
    state = ViewState()
    assert state.sort_by("title") == Sort("title", False)
    assert state.sort_by("title") == Sort("title", True)
    assert state.sort_by("year") == Sort("year", True)  # years start newest first


def test_settings_round_trip_and_odd_values_fall_back():
    state = ViewState(kind="tag", key="vision", search="gan", sort=Sort("added", True))
    state.current = 7
    again = ViewState.from_settings(state.to_settings())
    assert (again.kind, again.key, again.search, again.sort, again.current) == (
        "tag",
        "vision",
        "gan",
        Sort("added", True),
        7,
    )
    odd = ViewState.from_settings({"sort": "-nonsense", "current": "x", "kind": None})
    assert (odd.sort, odd.current, odd.key, odd.filters) == (
        None,
        None,
        "inbox",
        {"status": "unread"},
    )


def test_picks_that_left_the_view_are_dropped():
    state = ViewState(ids=[1, 2, 3], current=1, picked={1, 2})
    state.show([2, 3])
    assert state.picked == {2} and state.current == 2
