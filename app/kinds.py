"""The closed vocabularies records use, shared by the app's schema and the server.

    from app.kinds import REVIEW_FLAGS, SUBMISSION_STATES, TASK_KINDS

They live here, with no imports, so the server and the command-line tools can use them
without loading the local store's database library (:mod:`app.schema` re-exports them).
A new value is a schema change too: the local database's CHECK constraints list them.
"""

TASK_KINDS = ("original", "reannotation", "review", "postedit")
SUBMISSION_STATES = ("draft", "submitted", "accepted", "rejected")
#: What a reviewer can flag an item as, beside their scores.
REVIEW_FLAGS = ("wrong_language", "harmful", "nonsense")
