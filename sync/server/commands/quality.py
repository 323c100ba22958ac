"""Quality and people: relabel, block, flagged items, agreement, concentration, leaderboards
and independent audits.

    qalam-server relabel SUBMISSION --language urd_Arab [--dialect Dakhini] --by Fatima
    qalam-server block Bilal --reason "copied text"      # nothing is deleted
    qalam-server unblock Bilal
    qalam-server flagged [--language urd_Arab]
    qalam-server agreement                               # Krippendorff's alpha per language
    qalam-server concentration [--top 5]                 # share of the top annotators
    qalam-server leaderboard --period week --language urd_Arab
    qalam-server tallies [--project aya-urd]             # count the figures again from scratch
    qalam-server audit draw --per-language 50 --auditor Rahel --auditor Tomas [--seed 7]
    qalam-server audit list
    qalam-server audit items --auditor Rahel
    qalam-server audit record SAMPLE SUBMISSION --auditor Rahel --rating 4 --acceptable yes
    qalam-server audit report SAMPLE
"""

from __future__ import annotations

import getpass
from dataclasses import asdict
from typing import get_args

from sync.protocol import Period
from sync.server.commands import command, group, option
from sync.server.commands.output import emit, json_option, listing
from sync.server.people.users import check_languages


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "coordinator"


def _language(code: str | None) -> str | None:
    return check_languages([code])[0] if code else None


def _fmt(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _per_language(found: dict) -> list[dict]:
    """``{language: figures}`` as the JSON lines print it: the language, then its figures."""
    return [{"language": language, **asdict(value)} for language, value in found.items()]


# --- moderation ------------------------------------------------------------------------------


@command("relabel", help="correct an item's language or dialect",
         description="Give a submission another language and/or dialect. The author's devices "
                     "get the change on their next pull; the old labels stay in the record.")
@option("submission", metavar="SUBMISSION")
@option("--language", metavar="CODE", help="registry code, e.g. urd_Arab")
@option("--dialect", help="a dialect name ('' clears it)")
@option("--by", default=None, help="who relabels (default: your login name)")
def cmd_relabel(args, engine, url) -> int:
    from sync.server.quality import moderation

    revision = moderation.relabel(engine, args.submission, language=args.language,
                                  dialect=args.dialect, by=args.by or _who())
    print(f"{args.submission} relabeled (revision {revision}); the author's devices get it on "
          "their next sync.")
    return 0


@command("block", help="block a contributor (nothing is deleted)",
         description="Hold a contributor's work: it leaves leaderboards, audits and exports "
                     "until unblocked. Nothing of theirs is deleted.")
@option("user", metavar="USER", help="name or id")
@option("--reason", required=True, help="why (kept with the block)")
def cmd_block(args, engine, url) -> int:
    from sync.server.quality import moderation

    new = moderation.block(engine, args.user, reason=args.reason)
    print(f"{args.user} {'is now' if new else 'was already'} blocked: their work is held and "
          "left out of leaderboards, audits and exports. Nothing was deleted.")
    return 0


@command("unblock", help="lift a block",
         description="Lift a block: the contributor's work counts again.")
@option("user", metavar="USER", help="name or id")
def cmd_unblock(args, engine, url) -> int:
    from sync.server.quality import moderation

    lifted = moderation.unblock(engine, args.user)
    print(f"{args.user} {'is no longer blocked' if lifted else 'was not blocked'}; "
          "their work counts.")
    return 0


@command("blocked", help="list blocked contributors",
         description="Everyone blocked, with when and why.")
@json_option()
def cmd_blocked(args, engine, url) -> int:
    from sync.server.quality import moderation

    return listing(args, moderation.blocked_users(engine), empty="Nobody is blocked.",
                   header=["NAME", "ROLE", "SINCE", "REASON"],
                   row=lambda u: [u.name, u.role, u.blocked_at, u.reason])


@command("flagged", help="list items reviewers flagged",
         description="Items reviewers flagged (wrong language, harmful, nonsense), newest "
                     "first: who flagged, the flag, the item's state and its text.")
@option("--language", metavar="CODE")
@option("--limit", type=int, default=100, help="at most this many (1–1000)")
@json_option()
def cmd_flagged(args, engine, url) -> int:
    from sync.server.quality import moderation

    found = moderation.flagged_items(engine, language=_language(args.language), limit=args.limit)
    return listing(
        args, found, empty="No flagged items.",
        header=["FLAGGED", "FLAG", "BY", "LANGUAGE", "STATE", "AUTHOR", "SUBMISSION", "PROMPT"],
        row=lambda f: [f.flagged_at, f.flag, f.flagged_by, f.language or "", f.state,
                       f.author + (" (blocked)" if f.author_blocked else ""), f.submission_id,
                       " ".join(f.inputs.split())[:40]])


# --- measures --------------------------------------------------------------------------------


@command("agreement", help="inter-annotator agreement per language",
         description="Krippendorff's alpha (ordinal) over reviewers' 1–5 ratings, per "
                     "language, from items that two or more reviewers rated.")
@option("--language", metavar="CODE")
@json_option()
def cmd_agreement(args, engine, url) -> int:
    from sync.server.quality import measures

    found = _per_language(measures.agreement(engine, language=_language(args.language)))
    return listing(
        args, found, empty="No ratings yet.", header=["LANGUAGE", "ALPHA", "ITEMS", "RATINGS"],
        row=lambda a: [a["language"], _fmt(a["alpha"], 3), str(a["items"]), str(a["ratings"])],
        footer="ALPHA: Krippendorff's alpha (ordinal) over items rated by two or more "
               "reviewers; — where there are too few.")


@command("concentration", help="share of work by the top annotators",
         description="Per language: contributors, handed-in items, and the share written by "
                     "the top annotators (the Aya paper reports the top 5).")
@option("--top", type=int, default=5)
@option("--project", help="one project's work")
@json_option()
def cmd_concentration(args, engine, url) -> int:
    from sync.server.quality import measures

    found = _per_language(measures.concentration(engine, top=args.top,
                                                 project_id=args.project))
    return listing(
        args, sorted(found, key=lambda c: -c["top_share"]), as_json=found,
        empty="No handed-in work yet.",
        header=["LANGUAGE", "CONTRIBUTORS", "ITEMS", f"TOP {args.top} SHARE"],
        row=lambda c: [c["language"], str(c["contributors"]), str(c["items"]),
                       f"{c['top_share']:.0%}"])


@command("leaderboard", help="show a leaderboard",
         description="Points and quality scores, scored by the app's rules.")
@option("--period", choices=get_args(Period), default="all")
@option("--language", metavar="CODE", help="one language (default: all)")
@option("--project", help="one project's work and rules")
@option("--top", type=int, help="how many rows (default: as many as devices are sent)")
@json_option("the board as JSON")
def cmd_leaderboard(args, engine, url) -> int:
    from sync.server.quality import leaderboards

    found = leaderboards.board(engine, period=args.period, language=_language(args.language),
                               project_id=args.project,
                               limit=leaderboards.TOP if args.top is None else args.top)
    return listing(
        args, found.rows, as_json=found, empty="Nobody has points yet.",
        title=f"{args.period} leaderboard, {found.language or 'all languages'}"
              f"{' since ' + found.since if found.since else ''}:",
        header=["RANK", "NAME", "POINTS", "CONTRIBUTIONS", "QUALITY", "AYA SCORE"],
        row=lambda r: [str(r.rank), r.name, str(r.points), str(r.contributions),
                       _fmt(r.quality_score), _fmt(r.aya_score)])


@command("tallies", help="count the leaderboards and overview again from scratch",
         description="Rebuild the tallies the leaderboards and the overview read (kept as the "
                     "data arrives) from every submission and review, in one transaction. "
                     "Needed only after rows were changed by hand in the database.")
@option("--project", help="one project's tallies only")
def cmd_tallies(args, engine, url) -> int:
    import time

    from sync.server.db import run_write
    from sync.server.quality import tallies

    started = time.perf_counter()
    rows = run_write(engine, lambda conn: tallies.rebuild(conn, args.project))
    where = f" in project {args.project}" if args.project else ""
    print(f"Counted again: {rows:,} tally rows{where} in {time.perf_counter() - started:.1f} s.")
    return 0


# --- audits ----------------------------------------------------------------------------------


group("audit", help="independent quality audits",
      description="Draw blind audit samples, record and report them.")


@command("audit", "draw", help="draw a stratified random sample",
         description="Draw a random sample per language of handed-in work by contributors who "
                     "are not blocked, and hand it to the auditors round-robin (never their "
                     "own work).")
@option("--per-language", type=int, required=True, metavar="N")
@option("--auditor", action="append", required=True, metavar="NAME",
        help="an auditor (repeatable)")
@option("--language", action="append", metavar="CODE",
        help="only this language (repeatable; default: all)")
@option("--project", help="only this project's work")
@option("--seed", type=int, help="repeat a draw (default: a random seed)")
@option("--note", default="", help="a note kept with the sample")
@option("--by", default=None, help="who draws (default: your login name)")
def cmd_audit_draw(args, engine, url) -> int:
    from sync.server.quality import audits

    sample_id = audits.draw_sample(
        engine, per_language=args.per_language, auditors=args.auditor,
        languages=args.language, project_id=args.project, seed=args.seed,
        created_by=args.by or _who(), note=args.note)
    sample = audits.get_sample(engine, sample_id)
    print(f"Sample {sample_id} (seed {sample.seed}): {sample.items} items in "
          f"{len(sample.languages)} languages for {', '.join(sample.auditors)}.")
    return 0


@command("audit", "list", help="list samples",
         description="Every sample with its progress, newest first.")
def cmd_audit_list(args, engine, url) -> int:
    from sync.server.quality import audits

    return listing(
        args, audits.list_samples(engine),
        empty="No audit samples yet; `qalam-server audit draw` makes one.",
        header=["SAMPLE", "CREATED", "BY", "PER LANGUAGE", "LANGUAGES", "DONE", "AUDITORS"],
        row=lambda s: [s.id, s.created_at, s.created_by, str(s.per_language),
                       str(len(s.languages)), f"{s.done}/{s.items}", ", ".join(s.auditors)])


@command("audit", "items", help="an auditor's items (blind)",
         description="What an auditor has to rate: the text only.")
@option("--auditor", required=True, metavar="NAME")
@option("--all", action="store_true", help="also those already rated")
@json_option()
def cmd_audit_items(args, engine, url) -> int:
    from sync.server.quality import audits

    found = audits.auditor_items(engine, args.auditor, pending_only=not args.all)

    def text() -> None:
        if not found:
            print(f"Nothing {'' if args.all else 'left '}for {args.auditor} to audit.")
        for item in found:
            done = "" if item.done_at is None else f"  [rated {item.rating}, " \
                f"{'acceptable' if item.acceptable else 'not acceptable'}]"
            print(f"{item.sample_id} {item.submission_id}  {item.language} {item.kind}{done}")
            print(f"  prompt:     {item.prompt}")
            print(f"  completion: {item.completion}")

    return emit(args, found, text)


@command("audit", "record", help="record an auditor's rating",
         description="Record (or correct) an auditor's judgement.")
@option("sample", metavar="SAMPLE")
@option("submission", metavar="SUBMISSION")
@option("--auditor", required=True, metavar="NAME")
@option("--rating", type=int, required=True, choices=range(1, 6))
@option("--acceptable", required=True, choices=("yes", "no"))
@option("--comment", default="")
def cmd_audit_record(args, engine, url) -> int:
    from sync.server.quality import audits

    audits.record_audit(engine, sample_id=args.sample, submission_id=args.submission,
                        auditor=args.auditor, rating=args.rating,
                        acceptable=args.acceptable == "yes", comment=args.comment)
    print(f"Recorded {args.auditor}'s audit of {args.submission}.")
    return 0


@command("audit", "report", help="quality estimates of a sample",
         description="Per language: items audited, the acceptable share with its 95 % Wilson "
                     "interval, and the mean rating with its 95 % interval.")
@option("sample", metavar="SAMPLE")
@json_option()
def cmd_audit_report(args, engine, url) -> int:
    from sync.server.quality import audits

    def interval(ci) -> str:
        return "" if ci is None else f"[{ci[0]:.2f}, {ci[1]:.2f}]"

    return listing(
        args, list(audits.estimates(engine, args.sample).values()),
        header=["LANGUAGE", "AUDITED", "ACCEPTABLE", "95% CI", "MEAN RATING", "95% CI"],
        row=lambda e: [e.language, f"{e.audited}/{e.sampled}",
                       "—" if e.acceptable_share is None else f"{e.acceptable_share:.0%}",
                       interval(e.acceptable_ci), _fmt(e.mean_rating), interval(e.rating_ci)])
