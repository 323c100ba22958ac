"""The dataset card (README.md) written beside every dataset export.

    text = render(result=result, fmt="parquet", data_files={"train": "data/train.parquet"},
                  demographics_file="demographics/train.parquet", languages=..., rules=...,
                  project_id="aya-urd", test_fraction=0.0, license=("apache-2.0", name, url))

The YAML header follows the Hugging Face dataset card: ``configs`` tells
``datasets.load_dataset(folder)`` which file holds which split (the ``default`` rows and the
``demographics`` table), ``dataset_info`` gives the features and split sizes. The body has the
counts per language and per annotation type, the acceptance rules the rows passed, the
licence and how to load the data. Strings in the YAML are JSON-quoted (valid YAML scalars),
so no value can break the header.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from app import __version__, clock
from sync.server.export.output import ExportResult
from sync.server.work.projects import Acceptance

TYPES = ("original-annotations", "re-annotations", "post-edits")
TYPE_MEANING = {
    "original-annotations": "a new prompt and completion written by a fluent speaker",
    "re-annotations": "an existing prompt/completion pair (often from a templated dataset) "
                      "improved by a fluent speaker",
    "post-edits": "a machine translation corrected by a fluent speaker (`inputs` is the "
                  "source text, `targets` the corrected translation)",
}
COLUMN_MEANING = {
    "inputs": "the prompt",
    "targets": "the completion",
    "language": "the language's name: as the imported row gave it, else the Aya Dataset's "
                "own name for it, else its English name",
    "language_code": "its ISO 639-3 code, as the Aya Dataset gives it",
    "annotation_type": "one of " + ", ".join(f"`{t}`" for t in TYPES),
    "user_id": "a pseudonym of the author (see Privacy)",
}
RULE_MEANING = {
    "min_edit_distance": "a re-annotation or post-edit counts only with at least this "
                         "Levenshtein distance (characters) on the prompt or the completion",
    "min_accepted_per_language": "a language is published only with at least this many "
                                 "accepted contributions",
    "min_mean_rating": "an edit's mean peer rating (1–5, 3 = no change) must reach this",
    "min_ratings": "an edit needs at least this many peer ratings (0: unrated edits count)",
    "exclude_flagged": "items a reviewer flagged are held until a coordinator accepts them",
}


def render(*, result: ExportResult, fmt: str, data_files: dict[str, str],
           demographics_file: str, languages: dict[str, dict[str, str]],
           rules: dict[str | None, Acceptance], project_id: str | None,
           test_fraction: float, license: tuple[str, str, str],
           row_features: dict[str, str], demographics_features: dict[str, str],
           qalam_files: dict[str, str] | None = None, qalam_sizes: dict[str, int] | None = None,
           qalam_features: dict[str, str] | None = None) -> str:
    license_id, license_name, license_url = license
    return "\n".join([
        "---",
        *_header(result, data_files, demographics_file, languages, license_id,
                 row_features, demographics_features, qalam_files or {}, qalam_sizes or {},
                 qalam_features or {}),
        "---",
        "",
        *_body(result, fmt, data_files, demographics_file, languages, rules, project_id,
               test_fraction, license_name, license_url),
    ]) + "\n"


def _q(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _splits_listed(result: ExportResult, data_files: dict[str, str]) -> dict[str, str]:
    listed = {split: path for split, path in data_files.items() if result.splits.get(split)}
    return listed or {"train": data_files["train"]}


def _header(result, data_files, demographics_file, languages, license_id, row_features,
            demographics_features, qalam_files, qalam_sizes, qalam_features) -> list[str]:
    codes = sorted({names["language_code"] for names in languages.values()})
    lines = [f"license: {_q(license_id)}", f"pretty_name: {_q(_title(result))}"]
    if codes:
        lines.append("language:")
        lines += [f"- {_q(code)}" for code in codes]
    lines += ["annotations_creators:", "- crowdsourced", "language_creators:",
              "- crowdsourced", "multilinguality:",
              f"- {'multilingual' if len(codes) > 1 else 'monolingual'}",
              "task_categories:", "- text-generation", "configs:",
              "- config_name: default", "  default: true", "  data_files:"]
    for split, path in _splits_listed(result, data_files).items():
        lines += [f"  - split: {split}", f"    path: {_q(path)}"]
    if qalam_files:
        lines += ["- config_name: qalam", "  data_files:"]
        for split, path in _splits_listed(result, qalam_files).items():
            lines += [f"  - split: {split}", f"    path: {_q(path)}"]
    # Always listed, even with nobody in it: its features (below) make an empty file a
    # valid, empty table.
    lines += ["- config_name: demographics", "  data_files:", "  - split: train",
              f"    path: {_q(demographics_file)}"]
    lines += ["dataset_info:", "- config_name: default", "  features:"]
    lines += _features(row_features)
    lines.append("  splits:")
    for split in _splits_listed(result, data_files):
        lines += [f"  - name: {split}", f"    num_bytes: {result.sizes.get(split, 0)}",
                  f"    num_examples: {result.splits.get(split, 0)}"]
    if qalam_files:
        lines += ["- config_name: qalam", "  features:"]
        lines += _features(qalam_features)
        lines.append("  splits:")
        for split in _splits_listed(result, qalam_files):
            lines += [f"  - name: {split}", f"    num_bytes: {qalam_sizes.get(split, 0)}",
                      f"    num_examples: {result.splits.get(split, 0)}"]
    lines += ["- config_name: demographics", "  features:"]
    lines += _features(demographics_features)
    lines += ["  splits:", "  - name: train",
              f"    num_bytes: {result.sizes.get('demographics', 0)}",
              f"    num_examples: {result.demographics}"]
    return lines


def _features(features: dict[str, str]) -> list[str]:
    lines = []
    for name, kind in features.items():
        lines.append(f"  - name: {name}")
        if kind.startswith("sequence: "):
            lines.append(f"    sequence: {kind.removeprefix('sequence: ')}")
        else:
            lines.append(f"    dtype: {kind}")
    return lines


def _title(result: ExportResult) -> str:
    return "Qalam multilingual instruction dataset"


def _body(result, fmt, data_files, demographics_file, languages, rules, project_id,
          test_fraction, license_name, license_url) -> list[str]:
    scope = f"project `{project_id}`" if project_id else "all projects of this server"
    lines = [
        f"# {_title(result)}",
        "",
        f"{result.rows:,} prompt/completion pairs in {len(languages)} "
        f"language{'s' if len(languages) != 1 else ''}, written, improved or post-edited by "
        f"{result.contributors:,} contributor{'s' if result.contributors != 1 else ''} with "
        "Qalam, in the schema of the [Aya Dataset](https://arxiv.org/abs/2402.06619). "
        f"Exported from {scope} on {clock.utc_now()[:10]} by Qalam {__version__}.",
        "",
        "## Languages",
        "",
        "| Language | Code | Registry code | " + " | ".join(TYPES) + " | Total |",
        "|---|---|---|" + "---:|" * (len(TYPES) + 1),
    ]
    totals = dict.fromkeys(TYPES, 0)
    for registry_code in sorted(languages, key=lambda c: languages[c]["language"]):
        names = languages[registry_code]
        counts = result.counts.get(registry_code, {})
        for kind in TYPES:
            totals[kind] += counts.get(kind, 0)
        lines.append(f"| {_cell(names['language'])} | {names['language_code']} | "
                     f"{registry_code} | "
                     + " | ".join(f"{counts.get(kind, 0):,}" for kind in TYPES)
                     + f" | {sum(counts.values()):,} |")
    lines.append("| **All** | | | " + " | ".join(f"**{totals[k]:,}**" for k in TYPES)
                 + f" | **{result.rows:,}** |")
    lines += ["", "## Annotation types", "", "| annotation_type | rows | meaning |",
              "|---|---:|---|"]
    lines += [f"| `{kind}` | {totals[kind]:,} | {TYPE_MEANING[kind]} |" for kind in TYPES]
    lines += ["", "## Files and splits", ""]
    for split, path in data_files.items():
        lines.append(f"* `{path}` — {split}: {result.splits.get(split, 0):,} rows")
    lines.append(f"* `{demographics_file}` — demographics: {result.demographics:,} rows")
    if test_fraction > 0:
        lines += ["", f"About {test_fraction:.0%} of the rows are in the test split, chosen by "
                      "a SHA-256 hash of each item's id: an item stays in the same split in "
                      "every export."]
    lines += ["", "## Columns", ""]
    lines += [f"* `{name}` (string): {meaning}" for name, meaning in COLUMN_MEANING.items()]
    lines += ["", "## Demographics", "",
              "The `demographics` table has one row per contributor: `user_id` (the same "
              "pseudonym as in the rows), "
              "`age_range` (the bounds of the range they picked, e.g. `[25, 34]`), `gender`, "
              "`country` (ISO 3166-1 alpha-2), `languages` and `dialects`. A field a person "
              "left empty is null (a contributor who told nothing has nulls only); nothing is "
              "inferred.", ""]
    lines += ["## How contributions were accepted", "",
              "Drafts and deleted items are never published, nor the work of blocked "
              "contributors. A coordinator's decision wins: an item they accepted is "
              "published, one they rejected is not. Every other item must pass its project's "
              "rules:", ""]
    for project, settings in sorted(rules.items(), key=lambda kv: kv[0] or ""):
        lines.append(f"Project `{project}`:" if project else "Items outside any project "
                                                             "(default rules):")
        lines.append("")
        for name, value in asdict(settings).items():
            lines.append(f"* `{name}` = {_value(value)}: {RULE_MEANING.get(name, '')}")
        lines.append("")
    if result.below_gate:
        lines.append("Languages left out for now (too few accepted contributions): "
                     + ", ".join(f"{code} ({count:,})"
                                 for code, count in sorted(result.below_gate.items())) + ".")
        lines.append("")
    lines += ["## The `qalam` config", "",
              "The same rows, with the six Aya columns first, then Qalam's own: `id` (the "
              "item's id on the server), `registry_code` (language and script, e.g. "
              "`urd_Arab`), `script` (ISO 15924), `dialect`, `kind` (`original`, "
              "`reannotation`, `postedit`), `prompt_distance` and `completion_distance` "
              "(Levenshtein distance of an edit to what it started from), `hter` (post-edits), "
              "`seconds_spent`, `review_count` and `review_mean` (peer ratings, 1–5, of the "
              "item's prompt and completion), and `decision` (`accepted` when a coordinator "
              "accepted the item, else null: it passed the rules).", ""]
    lines += ["## How to load", "",
              "The folder is laid out as on the Hugging Face Hub (a dataset card with "
              "`configs`), so `datasets` loads it by its path:", "",
              "```python", "from datasets import load_dataset", "",
              'rows = load_dataset("path/to/this/folder")            # train (and test)',
              'ours = load_dataset("path/to/this/folder", "qalam")   # with Qalam\'s columns',
              'people = load_dataset("path/to/this/folder", "demographics")']
    builder = "json" if fmt == "jsonl" else "parquet"
    first = data_files["train"]
    lines += [f'rows = load_dataset("{builder}", data_files={{"train": "{first}"}})  '
              "# or name the files", "```", ""]
    if fmt == "jsonl":
        lines += ["Each line of a `.jsonl` file is one JSON object with the columns above.", ""]
    else:
        lines += ["With pandas: `pandas.read_parquet(\"" + first + "\")`.", ""]
    lines += ["## Licence", "",
              f"The data is released under the [{license_name}]({license_url}).", "",
              "## Privacy", "",
              "`user_id` is an HMAC-SHA-256 of the contributor's account id, keyed with a "
              "secret salt that never leaves the server: the same person has the same "
              "`user_id` in every export of this server, and nobody without the server's "
              "database can tell who it is. Names, devices and account ids are not "
              "published.", "",
              "## Citation", "",
              "The collection follows the participatory workflow of the Aya Dataset:", "",
              "```bibtex",
              "@misc{singh2024aya,",
              "  title={Aya Dataset: An Open-Access Collection for Multilingual Instruction "
              "Tuning},",
              "  author={Shivalika Singh and others},",
              "  year={2024},",
              "  eprint={2402.06619},",
              "  archivePrefix={arXiv}",
              "}",
              "```"]
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
