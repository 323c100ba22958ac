"""Figures kept for a minute in the database (sync.server.quality.figures), both backends."""

from sync.server.quality import figures


def test_a_figure_is_computed_once_per_minute_and_afresh_after_forget(engine):
    calls = []

    def compute(conn):
        calls.append(1)
        return {"n": len(calls), "text": "اردو"}

    first, at = figures.cached(engine, "k", compute)
    again, again_at = figures.cached(engine, "k", compute)  # another process would see it too
    assert first == again == {"n": 1, "text": "اردو"} and at == again_at
    assert figures.cached(engine, "k", compute, max_age=0)[0]["n"] == 2  # too old: counted
    figures.forget(engine)
    assert figures.cached(engine, "k", compute)[0]["n"] == 3
    assert figures.cached(engine, "other", compute)[0]["n"] == 4  # keys are separate
