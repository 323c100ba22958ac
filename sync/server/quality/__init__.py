"""Quality: the coordinator's moderation, the figures over the work, audits and leaderboards.

* :mod:`.moderation`    relabel an item, block and unblock a contributor, flag and unflag,
                        flagged items
* :mod:`.search`        find items by words of their text (any script) and filters, paged
* :mod:`.item`          one item whole: texts, diff, measures, reviews, audits, history
* :mod:`.measures`      agreement between reviewers, concentration, progress per language
* :mod:`.audits`        stratified random samples rated blind by auditors, with estimates
* :mod:`.leaderboards`  points and scores per language and period, by the app's own rules
* :mod:`.tallies`       the leaderboards' and overview's counts, kept as the data arrives
* :mod:`.fields`        payload fields in SQL on both backends, and whose work counts

Not :mod:`app.quality`, which checks one item's text on the annotator's computer.
"""
