"""The main window's screens, one kind of work each (built the first time they are shown).

    screen.py    what every screen has in common (Screen, EditingScreen, the task list)
    write.py     Write: original prompt/completion pairs
    improve.py   Improve: re-annotation, rated and edited
    review.py    Review: is a peer's edit an improvement?
    postedit.py  Post-edit: machine translations corrected, segment by segment
    my_work.py   My work: everything the annotator made, with its history
    progress.py  Progress: points, scores, time charts and leaderboards
"""
