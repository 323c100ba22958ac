"""Publishing what the project collected: the dataset, and post-edits for CAT tools.

    from sync.server.export import export_dataset, export_postedits
    result = export_dataset(engine, Path("out"), fmt="parquet", test_fraction=0.1)
    print(result.summary())
    export_postedits(engine, Path("tm"), fmt="tmx")

* :mod:`.dataset` — the Aya-schema rows (JSONL, Parquet, or Parquet laid out for the Hub);
* :mod:`.demographics` — the contributors' own answers, beside the rows;
* :mod:`.card` — the dataset card (README.md);
* :mod:`.postedit` — XLIFF 2.0 and TMX 1.4 with MT, post-edit, HTER and time;
* :mod:`.pseudonyms` — the salted hash that stands for a contributor;
* :mod:`.output` — staging folder, read snapshot and :class:`ExportResult`, shared.

Which items are published is decided by :mod:`sync.server.work.acceptance`, not here.
"""

from sync.server.export.dataset import FORMATS as DATASET_FORMATS
from sync.server.export.dataset import LICENSES, export_dataset
from sync.server.export.output import ExportError, ExportResult
from sync.server.export.postedit import FORMATS as POSTEDIT_FORMATS
from sync.server.export.postedit import export_postedits

__all__ = ["DATASET_FORMATS", "LICENSES", "POSTEDIT_FORMATS", "ExportError", "ExportResult",
           "export_dataset", "export_postedits"]
