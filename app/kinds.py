"""The closed vocabularies records use, one definition for the app, the sync client, the
server and task imports.

    from app.kinds import ORIGINS, REVIEW_FLAGS, SUBMISSION_STATES, TASK_KINDS

They live here, with no imports, so the server and the command-line tools can use them
without loading the local store's database library (:mod:`app.schema` re-exports them), and
:mod:`app.records` builds the record contract from them. A new value is a schema change too:
the local database's CHECK constraints list them.
"""

TASK_KINDS = ("original", "reannotation", "review", "postedit")
#: Kinds of work that edit an existing text: scored, and accepted, by how much they changed.
EDIT_KINDS = ("reannotation", "postedit")
#: Where a task's text came from. Work is served in this order, which is also alphabetical,
#: so an index on the column yields it (sync.server.work.distribution).
ORIGINS = ("human", "templated", "translated")

#: A device sets draft or submitted; the others are a reviewer's decision, and final.
SUBMISSION_STATES = ("draft", "submitted", "accepted", "rejected")
FINAL_STATES = ("accepted", "rejected")

#: What a reviewer can flag an item as, beside their scores.
REVIEW_FLAGS = ("wrong_language", "harmful", "nonsense")

#: The source language of a post-editing task that does not name one (registry code): the
#: Post-edit screen shows its source in it, exports write it as the source language.
DEFAULT_SOURCE_LANGUAGE = "eng_Latn"
