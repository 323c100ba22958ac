"""Quality and people: relabel, block, flagged items, agreement, concentration, leaderboards
and independent audits.

    qalam-server relabel SUBMISSION --language urd_Arab [--dialect Dakhini] --by Fatima
    qalam-server block Bilal --reason "copied text"      # nothing is deleted
    qalam-server unblock Bilal
    qalam-server flagged [--language urd_Arab]
    qalam-server agreement                               # Krippendorff's alpha per language
    qalam-server concentration [--top 5]                 # share of the top annotators
    qalam-server leaderboard --period week --language urd_Arab
    qalam-server audit draw --per-language 50 --auditor Rahel --auditor Tomas [--seed 7]
    qalam-server audit list
    qalam-server audit items --auditor Rahel
    qalam-server audit record SAMPLE SUBMISSION --auditor Rahel --rating 4 --acceptable yes
    qalam-server audit report SAMPLE
"""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict
from typing import get_args

from sync.protocol import Period
from sync.server.people.users import check_languages


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "coordinator"


def register(sub, common) -> dict:
    relabel = sub.add_parser(
        "relabel", parents=[common], help="correct an item's language or dialect",
        description="Give a submission another language and/or dialect. The author's devices "
                    "get the change on their next pull; the old labels stay in the record.")
    relabel.add_argument("submission", metavar="SUBMISSION")
    relabel.add_argument("--language", metavar="CODE", help="registry code, e.g. urd_Arab")
    relabel.add_argument("--dialect", help="a dialect name ('' clears it)")
    relabel.add_argument("--by", default=None, help="who relabels (default: your login name)")

    block = sub.add_parser(
        "block", parents=[common], help="block a contributor (nothing is deleted)",
        description="Hold a contributor's work: it leaves leaderboards, audits and exports "
                    "until unblocked. Nothing of theirs is deleted.")
    block.add_argument("user", metavar="USER", help="name or id")
    block.add_argument("--reason", required=True, help="why (kept with the block)")

    unblock = sub.add_parser("unblock", parents=[common], help="lift a block",
                             description="Lift a block: the contributor's work counts again.")
    unblock.add_argument("user", metavar="USER", help="name or id")

    blocked = sub.add_parser("blocked", parents=[common], help="list blocked contributors",
                             description="Everyone blocked, with when and why.")
    blocked.add_argument("--json", action="store_true", help="one JSON object per line")

    flagged = sub.add_parser(
        "flagged", parents=[common], help="list items reviewers flagged",
        description="Items reviewers flagged (wrong language, harmful, nonsense), newest "
                    "first: who flagged, the flag, the item's state and its text.")
    flagged.add_argument("--language", metavar="CODE")
    flagged.add_argument("--limit", type=int, default=100, help="at most this many (1–1000)")
    flagged.add_argument("--json", action="store_true", help="one JSON object per line")

    agreement = sub.add_parser(
        "agreement", parents=[common], help="inter-annotator agreement per language",
        description="Krippendorff's alpha (ordinal) over reviewers' 1–5 ratings, per language, "
                    "from items that two or more reviewers rated.")
    agreement.add_argument("--language", metavar="CODE")
    agreement.add_argument("--json", action="store_true", help="one JSON object per line")

    concentration = sub.add_parser(
        "concentration", parents=[common], help="share of work by the top annotators",
        description="Per language: contributors, handed-in items, and the share written by "
                    "the top annotators (the Aya paper reports the top 5).")
    concentration.add_argument("--top", type=int, default=5)
    concentration.add_argument("--project", help="one project's work")
    concentration.add_argument("--json", action="store_true", help="one JSON object per line")

    board = sub.add_parser(
        "leaderboard", parents=[common], help="show a leaderboard",
        description="Points and quality scores, scored by the app's rules.")
    board.add_argument("--period", choices=get_args(Period), default="all")
    board.add_argument("--language", metavar="CODE", help="one language (default: all)")
    board.add_argument("--project", help="one project's work and rules")
    board.add_argument("--top", type=int,
                       help="how many rows (default: as many as devices are sent)")
    board.add_argument("--json", action="store_true", help="the board as JSON")

    audit = sub.add_parser("audit", parents=[common], help="independent quality audits",
                           description="Draw blind audit samples, record and report them.")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    draw = audit_sub.add_parser(
        "draw", parents=[common], help="draw a stratified random sample",
        description="Draw a random sample per language of handed-in work by contributors "
                    "who are not blocked, and hand it to the auditors round-robin (never "
                    "their own work).")
    draw.add_argument("--per-language", type=int, required=True, metavar="N")
    draw.add_argument("--auditor", action="append", required=True, metavar="NAME",
                      help="an auditor (repeatable)")
    draw.add_argument("--language", action="append", metavar="CODE",
                      help="only this language (repeatable; default: all)")
    draw.add_argument("--project", help="only this project's work")
    draw.add_argument("--seed", type=int, help="repeat a draw (default: a random seed)")
    draw.add_argument("--note", default="", help="a note kept with the sample")
    draw.add_argument("--by", default=None, help="who draws (default: your login name)")
    audit_sub.add_parser("list", parents=[common], help="list samples",
                         description="Every sample with its progress, newest first.")
    items = audit_sub.add_parser("items", parents=[common], help="an auditor's items (blind)",
                                 description="What an auditor has to rate: the text only.")
    items.add_argument("--auditor", required=True, metavar="NAME")
    items.add_argument("--all", action="store_true", help="also those already rated")
    items.add_argument("--json", action="store_true", help="one JSON object per line")
    record = audit_sub.add_parser("record", parents=[common], help="record an auditor's rating",
                                  description="Record (or correct) an auditor's judgement.")
    record.add_argument("sample", metavar="SAMPLE")
    record.add_argument("submission", metavar="SUBMISSION")
    record.add_argument("--auditor", required=True, metavar="NAME")
    record.add_argument("--rating", type=int, required=True, choices=range(1, 6))
    record.add_argument("--acceptable", required=True, choices=("yes", "no"))
    record.add_argument("--comment", default="")
    report = audit_sub.add_parser(
        "report", parents=[common], help="quality estimates of a sample",
        description="Per language: items audited, the acceptable share with its 95 % Wilson "
                    "interval, and the mean rating with its 95 % interval.")
    report.add_argument("sample", metavar="SAMPLE")
    report.add_argument("--json", action="store_true", help="one JSON object per line")

    return {"relabel": cmd_relabel, "block": cmd_block, "unblock": cmd_unblock,
            "blocked": cmd_blocked, "flagged": cmd_flagged, "agreement": cmd_agreement,
            "concentration": cmd_concentration, "leaderboard": cmd_leaderboard,
            "audit": cmd_audit}


def _language(code: str | None) -> str | None:
    return check_languages([code])[0] if code else None


def _table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for line in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
              .rstrip())


def _fmt(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _json_lines(values) -> None:
    for value in values:
        print(json.dumps(asdict(value), ensure_ascii=False))


def cmd_relabel(args, engine, url) -> int:
    from sync.server.quality import moderation

    revision = moderation.relabel(engine, args.submission, language=args.language,
                                  dialect=args.dialect, by=args.by or _who())
    print(f"{args.submission} relabeled (revision {revision}); the author's devices get it on "
          "their next sync.")
    return 0


def cmd_block(args, engine, url) -> int:
    from sync.server.quality import moderation

    new = moderation.block(engine, args.user, reason=args.reason)
    print(f"{args.user} {'is now' if new else 'was already'} blocked: their work is held and "
          "left out of leaderboards, audits and exports. Nothing was deleted.")
    return 0


def cmd_unblock(args, engine, url) -> int:
    from sync.server.quality import moderation

    lifted = moderation.unblock(engine, args.user)
    print(f"{args.user} {'is no longer blocked' if lifted else 'was not blocked'}; "
          "their work counts.")
    return 0


def cmd_blocked(args, engine, url) -> int:
    from sync.server.quality import moderation

    found = moderation.blocked_users(engine)
    if args.json:
        _json_lines(found)
        return 0
    if not found:
        print("Nobody is blocked.")
        return 0
    _table(["NAME", "ROLE", "SINCE", "REASON"],
           [[u.name, u.role, u.blocked_at, u.reason] for u in found])
    return 0


def cmd_flagged(args, engine, url) -> int:
    from sync.server.quality import moderation

    found = moderation.flagged_items(engine, language=_language(args.language), limit=args.limit)
    if args.json:
        _json_lines(found)
        return 0
    if not found:
        print("No flagged items.")
        return 0
    _table(["FLAGGED", "FLAG", "BY", "LANGUAGE", "STATE", "AUTHOR", "SUBMISSION", "PROMPT"],
           [[f.flagged_at, f.flag, f.flagged_by, f.language or "", f.state,
             f.author + (" (blocked)" if f.author_blocked else ""), f.submission_id,
             " ".join(f.inputs.split())[:40]] for f in found])
    return 0


def cmd_agreement(args, engine, url) -> int:
    from sync.server.quality import measures

    found = measures.agreement(engine, language=_language(args.language))
    if args.json:
        for language, value in found.items():
            print(json.dumps({"language": language, **asdict(value)}))
        return 0
    if not found:
        print("No ratings yet.")
        return 0
    _table(["LANGUAGE", "ALPHA", "ITEMS", "RATINGS"],
           [[lang, _fmt(a.alpha, 3), str(a.items), str(a.ratings)] for lang, a in found.items()])
    print("\nALPHA: Krippendorff's alpha (ordinal) over items rated by two or more reviewers; "
          "— where there are too few.")
    return 0


def cmd_concentration(args, engine, url) -> int:
    from sync.server.quality import measures

    found = measures.concentration(engine, top=args.top, project_id=args.project)
    if args.json:
        for language, value in found.items():
            print(json.dumps({"language": language, **asdict(value)}))
        return 0
    if not found:
        print("No handed-in work yet.")
        return 0
    ordered = sorted(found.items(), key=lambda item: -item[1].top_share)
    _table(["LANGUAGE", "CONTRIBUTORS", "ITEMS", f"TOP {args.top} SHARE"],
           [[lang, str(c.contributors), str(c.items), f"{c.top_share:.0%}"]
            for lang, c in ordered])
    return 0


def cmd_leaderboard(args, engine, url) -> int:
    from sync.server.quality import leaderboards

    found = leaderboards.board(engine, period=args.period, language=_language(args.language),
                               project_id=args.project,
                               limit=leaderboards.TOP if args.top is None else args.top)
    if args.json:
        print(found.model_dump_json())
        return 0
    scope = found.language or "all languages"
    print(f"{args.period} leaderboard, {scope}"
          f"{' since ' + found.since if found.since else ''}:")
    if not found.rows:
        print("Nobody has points yet.")
        return 0
    _table(["RANK", "NAME", "POINTS", "CONTRIBUTIONS", "QUALITY", "AYA SCORE"],
           [[str(r.rank), r.name, str(r.points), str(r.contributions), _fmt(r.quality_score),
             _fmt(r.aya_score)] for r in found.rows])
    return 0


def cmd_audit(args, engine, url) -> int:
    return {"draw": _audit_draw, "list": _audit_list, "items": _audit_items,
            "record": _audit_record, "report": _audit_report}[args.audit_command](args, engine)


def _audit_draw(args, engine) -> int:
    from sync.server.quality import audits

    sample_id = audits.draw_sample(
        engine, per_language=args.per_language, auditors=args.auditor,
        languages=args.language, project_id=args.project, seed=args.seed,
        created_by=args.by or _who(), note=args.note)
    sample = audits.get_sample(engine, sample_id)
    print(f"Sample {sample_id} (seed {sample.seed}): {sample.items} items in "
          f"{len(sample.languages)} languages for {', '.join(sample.auditors)}.")
    return 0


def _audit_list(args, engine) -> int:
    from sync.server.quality import audits

    found = audits.list_samples(engine)
    if not found:
        print("No audit samples yet; `qalam-server audit draw` makes one.")
        return 0
    _table(["SAMPLE", "CREATED", "BY", "PER LANGUAGE", "LANGUAGES", "DONE", "AUDITORS"],
           [[s.id, s.created_at, s.created_by, str(s.per_language), str(len(s.languages)),
             f"{s.done}/{s.items}", ", ".join(s.auditors)] for s in found])
    return 0


def _audit_items(args, engine) -> int:
    from sync.server.quality import audits

    found = audits.auditor_items(engine, args.auditor, pending_only=not args.all)
    if args.json:
        _json_lines(found)
        return 0
    if not found:
        print(f"Nothing {'' if args.all else 'left '}for {args.auditor} to audit.")
        return 0
    for item in found:
        done = "" if item.done_at is None else f"  [rated {item.rating}, " \
            f"{'acceptable' if item.acceptable else 'not acceptable'}]"
        print(f"{item.sample_id} {item.submission_id}  {item.language} {item.kind}{done}")
        print(f"  prompt:     {item.prompt}")
        print(f"  completion: {item.completion}")
    return 0


def _audit_record(args, engine) -> int:
    from sync.server.quality import audits

    audits.record_audit(engine, sample_id=args.sample, submission_id=args.submission,
                        auditor=args.auditor, rating=args.rating,
                        acceptable=args.acceptable == "yes", comment=args.comment)
    print(f"Recorded {args.auditor}'s audit of {args.submission}.")
    return 0


def _audit_report(args, engine) -> int:
    from sync.server.quality import audits

    found = audits.estimates(engine, args.sample)
    if args.json:
        _json_lines(found.values())
        return 0

    def interval(ci) -> str:
        return "" if ci is None else f"[{ci[0]:.2f}, {ci[1]:.2f}]"

    _table(["LANGUAGE", "AUDITED", "ACCEPTABLE", "95% CI", "MEAN RATING", "95% CI"],
           [[e.language, f"{e.audited}/{e.sampled}",
             "—" if e.acceptable_share is None else f"{e.acceptable_share:.0%}",
             interval(e.acceptable_ci), _fmt(e.mean_rating), interval(e.rating_ci)]
            for e in found.values()])
    return 0
