"""Work: what there is to do, who gets it, what counts, and the coordinator's decisions.

* :mod:`.projects`      projects, their settings (with the Aya defaults) and guidelines
* :mod:`.imports`       task files (JSON lines, CSV, Parquet, XLIFF) into a project's tasks
* :mod:`.distribution`  per-language queues, leases, the audit cap, peer-review tasks
* :mod:`.acceptance`    which contributions count, by a project's acceptance rules
* :mod:`.decisions`     accept or reject a submitted item; ask someone to review it
* :mod:`.coordinators`  who coordinates which project, so whose items a coordinator sees
"""
