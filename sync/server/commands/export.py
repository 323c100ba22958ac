"""``qalam-server export``: publish the accepted work as a dataset, or post-edits for CAT tools.

    qalam-server export --format parquet --out aya-urd-v1 --project aya-urd --test-fraction 0.1
    qalam-server export --format hf --out release/           # Parquet + card, Hub layout
    qalam-server export --format xliff --out tm/             # post-edits: XLIFF 2.0
    qalam-server export --format tmx --out tm/               # post-edits: TMX 1.4

A progress bar (tqdm) goes to standard error, the summary to standard output. ``--out``
must be a new or empty folder.
"""

from __future__ import annotations

import sys

from sync.server.commands import command, option
from sync.server.export import (
    DATASET_FORMATS,
    LICENSES,
    POSTEDIT_FORMATS,
    export_dataset,
    export_postedits,
)
from sync.server.export.output import ExportError
from sync.server.people import auditlog
from sync.server.people.auditlog import Actor


@command("export", help="export the accepted work (dataset or post-edits)",
         description="Write the accepted contributions in the Aya Dataset's schema (jsonl, "
                     "parquet, hf: rows, demographics and a dataset card), or the accepted "
                     "post-edits with MT, HTER and time (xliff: XLIFF 2.0, tmx: TMX 1.4). Only "
                     "languages with enough accepted contributions enter a dataset.")
@option("--format", required=True, dest="fmt", choices=[*DATASET_FORMATS, *POSTEDIT_FORMATS])
@option("--out", required=True, metavar="DIR", help="a new or empty folder to write into")
@option("--project", metavar="P", help="one project (default: all)")
@option("--test-fraction", type=float, default=0.0, metavar="F",
        help="put about this share of rows in a test split (e.g. 0.1; datasets only)")
@option("--license", default="apache-2.0", choices=sorted(LICENSES),
        help="the dataset's licence (default apache-2.0, as the Aya Dataset)")
@option("--quiet", action="store_true", help="no progress bar")
def cmd_export(args, engine, url) -> int:
    if args.fmt in POSTEDIT_FORMATS and args.test_fraction:
        print("qalam-server: --test-fraction applies to datasets (jsonl, parquet, hf), not to "
              f"{args.fmt}.", file=sys.stderr)
        return 2
    bar = None if args.quiet else ProgressBar(sys.stderr)
    try:
        if args.fmt in DATASET_FORMATS:
            result = export_dataset(engine, args.out, fmt=args.fmt, project_id=args.project,
                                    test_fraction=args.test_fraction, progress=bar,
                                    license=args.license)
        else:
            result = export_postedits(engine, args.out, fmt=args.fmt, project_id=args.project,
                                      progress=bar)
    except ExportError as exc:
        if bar:
            bar.close()
        print(f"qalam-server: {exc}", file=sys.stderr)
        return 1
    if bar:
        bar.close()
    auditlog.record_alone(engine, "export", Actor.command_line(), subject=str(args.out),
                          project_id=args.project,
                          detail={"format": args.fmt, "rows": result.rows})
    print(result.summary())
    for path in result.files:
        print(f"  {path}")
    return 0


class ProgressBar:
    """``progress(done, total)`` as a tqdm bar on standard error."""

    def __init__(self, stream):
        from tqdm import tqdm

        self.bar = tqdm(total=0, unit=" rows", file=stream, leave=True,
                        dynamic_ncols=True, mininterval=0.2)

    def __call__(self, done: int, total: int) -> None:
        if self.bar.total != total:
            self.bar.total = total
            self.bar.refresh()
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()
