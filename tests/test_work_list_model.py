"""My work's list model keeps a small plain tuple per row and reads the whole submission
from the store when one is asked for: a list scrolled to 50,000 rows keeps neither their
texts nor objects Python's cycle collector must walk."""

import gc

from ui.models import (
    DECORATION_ROLE,
    DISPLAY_ROLE,
    TOOLTIP_ROLE,
    ItemRole,
    SubmissionListModel,
    list_row,
    status_icon,
    submission_status,
)


def test_rows_are_small_untracked_tuples_and_the_item_is_read_whole(qapp, store):
    edited = store.new_submission(language="swh_Latn", kind="reannotation",
                                  inputs="Jinsi ya kupanda mahindi?\nmstari wa pili",
                                  targets="Panda mwanzoni mwa mvua.\nzaidi",
                                  original_inputs="Jinsi ya kupanda mahindi",
                                  original_targets="Panda.")
    untouched = store.new_submission(language="urd_Arab", kind="reannotation",
                                     inputs="بارش", targets="ہاں",
                                     original_inputs="بارش", original_targets="ہاں")
    done = store.submit(store.new_submission(language="swh_Latn", inputs="Swali",
                                             targets="Jibu").id)
    model = SubmissionListModel(store)
    model.reload()
    assert model.rowCount() == 3
    gc.collect()
    rows = [model._rows[row] for row in range(3)]
    assert all(type(row) is tuple and not gc.is_tracked(row) for row in rows)
    kept = " ".join(value for row in rows for value in row if isinstance(value, str))
    assert "Panda" not in kept and "mstari" not in kept and "Jibu" not in kept  # no texts

    by_id = {model.index(row).data(ItemRole).id: row for row in range(3)}
    row = by_id[edited.id]
    assert model.index(row).data(ItemRole) == store.submission(edited.id)  # whole, current
    assert model.index(row).data(DISPLAY_ROLE) == "Jinsi ya kupanda mahindi?"
    assert model.index(row).data(TOOLTIP_ROLE).endswith(
        "Jinsi ya kupanda mahindi?\n\nPanda mwanzoni mwa mvua.")
    for submission, status in ((edited, "edited"), (untouched, "untouched"),
                               (done, "confirmed")):
        icon = model.index(by_id[submission.id]).data(DECORATION_ROLE)
        assert icon.cacheKey() == status_icon(status).cacheKey()

    # A saved change shows without a reload, from the same small row.
    saved = store.save_draft(untouched.id, inputs="بارش کب ہوگی؟", targets="ہاں").submission
    model.update_item(saved)
    assert model.index(0).data(DISPLAY_ROLE) == "بارش کب ہوگی؟"
    assert model._rows[0] == list_row(saved)
    assert model.index(0).data(DECORATION_ROLE).cacheKey() == \
        status_icon("edited").cacheKey()


def test_a_rows_status_decided_by_sqlite_is_the_one_the_submission_has(qapp, store):
    """Store.work_list compares the texts in SQL; ui.models.submission_status in Python: the
    same status for every kind of draft there is."""
    made = [
        store.new_submission(language="swh_Latn"),                              # empty
        store.new_submission(language="swh_Latn", inputs="Swali"),              # new text
        store.new_submission(language="swh_Latn", kind="reannotation", inputs="a",
                             targets="b", original_inputs="a", original_targets="b"),
        store.new_submission(language="swh_Latn", kind="reannotation", inputs="a",
                             targets="c", original_inputs="a", original_targets="b"),
        store.new_submission(language="swh_Latn", kind="reannotation", inputs="",
                             targets="", original_inputs="a", original_targets="b"),
        store.new_submission(language="swh_Latn", kind="postedit", inputs="Wash.",
                             targets="Nawa.", original_inputs=None, original_targets="Nawa."),
    ]
    rated = store.new_submission(language="swh_Latn", kind="reannotation", inputs="",
                                 targets="", original_inputs="a", original_targets="b")
    store.rate(rated.id, field="inputs", value=1)
    store.rate(rated.id, field="targets", value=-1)
    made.append(rated)
    store.submit(store.new_submission(language="swh_Latn", inputs="q", targets="a").id)
    model = SubmissionListModel(store)
    model.reload()
    statuses = {}
    for row in range(model.rowCount()):
        submission = model.index(row).data(ItemRole)
        assert model._rows[row][5] == submission_status(submission), submission
        statuses[submission.id] = model._rows[row][5]
    assert [statuses[s.id] for s in made] == [
        "untouched", "edited", "untouched", "edited", "untouched", "edited", "edited"]
    assert sorted(set(statuses.values())) == ["confirmed", "edited", "untouched"]


def test_task_lists_keep_a_small_tuple_per_task_and_read_the_task_whole(qapp, store):
    from ui.models import TaskListModel

    store.add_tasks([
        {"id": "t1", "project_id": None, "kind": "reannotation", "language": "swh_Latn",
         "origin": "templated", "inputs": "Jinsi ya kupanda mahindi?\nmstari wa pili",
         "targets": "Panda mwanzoni mwa mvua."},
        {"id": "t2", "project_id": None, "kind": "reannotation", "language": "swh_Latn",
         "origin": "templated", "inputs": "Maji safi", "targets": "Chemsha maji."},
    ])
    model = TaskListModel(store, "reannotation")
    model.set_language("swh_Latn")
    assert model.rowCount() == 2
    gc.collect()
    rows = [model._rows[row] for row in range(2)]
    assert all(type(row) is tuple and not gc.is_tracked(row) for row in rows)
    kept = " ".join(value for row in rows for value in row if isinstance(value, str))
    assert "mstari" not in kept and "Panda" not in kept and "Chemsha" not in kept

    first = model.index(0)
    assert first.data(DISPLAY_ROLE) == "Jinsi ya kupanda mahindi?"
    assert first.data(TOOLTIP_ROLE) == "Jinsi ya kupanda mahindi?\nmstari wa pili"
    assert first.data(ItemRole) == store.task("t1") == model.task_at(0)
    assert model.task_id_at(1) == "t2" and model.row_of("t2") == 1
    assert model.task_at(2) is None and model.task_id_at(-1) is None


def test_a_write_task_without_instructions_says_what_to_do_in_the_interface_language(
        qapp, store):
    from i18n.translation import _
    from ui.models import TaskListModel

    store.add_tasks([{"id": "w1", "project_id": None, "kind": "original",
                      "language": "swh_Latn", "origin": "templated", "instructions": ""}])
    model = TaskListModel(store, "original")
    model.set_language("swh_Latn")
    assert model.index(0).data(DISPLAY_ROLE) == _("Write a new prompt and completion")
