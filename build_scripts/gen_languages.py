"""Generate ``i18n/languages.tsv``, the language registry, from CLDR data.

    python build_scripts/gen_languages.py           # rewrite i18n/languages.tsv
    python build_scripts/gen_languages.py --check   # exit 1 if the file is out of date

This file holds *codes* only -- which languages the app knows. Every name, direction,
plural rule and lookup key is computed from CLDR (Babel), the IANA subtag registry and
language-data (langcodes) and Unicode (``unicodedata``); see the docstring of
``i18n/languages.py`` for the rules. Needs Babel and langcodes (both runtime dependencies
of the app); the output depends on their versions, so a dependency bump may change the TSV
and ``tests/test_languages.py`` will say so.
"""

from __future__ import annotations

import argparse
import os
import sys
import unicodedata
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from i18n.languages import TSV_COLUMNS, TSV_PATH, derive_script_direction  # noqa: E402

# --------------------------------------------------------------------------- the codes

#: FLORES-200, as in the released dataset (one file per code, 204 codes). Source: the
#: "Languages in FLORES-200" table of facebookresearch/flores, flores200/README.md, with
#: Santali as the dataset ships it (sat_Olck: the text is in Ol Chiki).
_FLORES200_TEXT = """
ace_Arab ace_Latn acm_Arab acq_Arab aeb_Arab afr_Latn ajp_Arab aka_Latn amh_Ethi apc_Arab
arb_Arab arb_Latn ars_Arab ary_Arab arz_Arab asm_Beng ast_Latn awa_Deva ayr_Latn azb_Arab
azj_Latn bak_Cyrl bam_Latn ban_Latn bel_Cyrl bem_Latn ben_Beng bho_Deva bjn_Arab bjn_Latn
bod_Tibt bos_Latn bug_Latn bul_Cyrl cat_Latn ceb_Latn ces_Latn cjk_Latn ckb_Arab crh_Latn
cym_Latn dan_Latn deu_Latn dik_Latn dyu_Latn dzo_Tibt ell_Grek eng_Latn epo_Latn est_Latn
eus_Latn ewe_Latn fao_Latn fij_Latn fin_Latn fon_Latn fra_Latn fur_Latn fuv_Latn gla_Latn
gle_Latn glg_Latn grn_Latn guj_Gujr hat_Latn hau_Latn heb_Hebr hin_Deva hne_Deva hrv_Latn
hun_Latn hye_Armn ibo_Latn ilo_Latn ind_Latn isl_Latn ita_Latn jav_Latn jpn_Jpan kab_Latn
kac_Latn kam_Latn kan_Knda kas_Arab kas_Deva kat_Geor knc_Arab knc_Latn kaz_Cyrl kbp_Latn
kea_Latn khm_Khmr kik_Latn kin_Latn kir_Cyrl kmb_Latn kmr_Latn kon_Latn kor_Hang lao_Laoo
lij_Latn lim_Latn lin_Latn lit_Latn lmo_Latn ltg_Latn ltz_Latn lua_Latn lug_Latn luo_Latn
lus_Latn lvs_Latn mag_Deva mai_Deva mal_Mlym mar_Deva min_Arab min_Latn mkd_Cyrl plt_Latn
mlt_Latn mni_Beng khk_Cyrl mos_Latn mri_Latn mya_Mymr nld_Latn nno_Latn nob_Latn npi_Deva
nso_Latn nus_Latn nya_Latn oci_Latn gaz_Latn ory_Orya pag_Latn pan_Guru pap_Latn pes_Arab
pol_Latn por_Latn prs_Arab pbt_Arab quy_Latn ron_Latn run_Latn rus_Cyrl sag_Latn san_Deva
sat_Olck scn_Latn shn_Mymr sin_Sinh slk_Latn slv_Latn smo_Latn sna_Latn snd_Arab som_Latn
sot_Latn spa_Latn als_Latn srd_Latn srp_Cyrl ssw_Latn sun_Latn swe_Latn swh_Latn szl_Latn
tam_Taml tat_Cyrl tel_Telu tgk_Cyrl tgl_Latn tha_Thai tir_Ethi taq_Latn taq_Tfng tpi_Latn
tsn_Latn tso_Latn tuk_Latn tum_Latn tur_Latn twi_Latn tzm_Tfng uig_Arab ukr_Cyrl umb_Latn
urd_Arab uzn_Latn vec_Latn vie_Latn war_Latn wol_Latn xho_Latn ydd_Hebr yor_Latn yue_Hant
zho_Hans zho_Hant zsm_Latn zul_Latn
"""
FLORES200 = tuple(_FLORES200_TEXT.split())

#: Codes that FLORES-200 material spells differently: its README table and NLLB's language
#: list call Santali "sat_Beng". Kept as its own entry so either spelling resolves.
FLORES200_ALTERNATES = ("sat_Beng",)

#: The Aya Dataset's languages: the ``language:`` list of the CohereForAI/aya_dataset card
#: (huggingface.co/datasets/CohereForAI/aya_dataset, README.md, revision 476abc2), 70 ISO
#: 639-3 codes = "65 languages (71 including dialects & scripts)", the six Arabic codes
#: counting as one language. Maps each to the registry entries it covers. Aya uses some
#: macrolanguage codes where FLORES names the individual language (msa -> zsm_Latn); the
#: card's "kur" does not say which Kurdish, so it covers Sorani (Arabic script) and
#: Kurmanji (Latin), and "zho" covers both Chinese scripts (the "& scripts" of the 71).
AYA = {
    "amh": ("amh_Ethi",), "arb": ("arb_Arab",), "ary": ("ary_Arab",), "ars": ("ars_Arab",),
    "acq": ("acq_Arab",), "arz": ("arz_Arab",), "apc": ("apc_Arab",), "ben": ("ben_Beng",),
    "ceb": ("ceb_Latn",), "dan": ("dan_Latn",), "deu": ("deu_Latn",), "ell": ("ell_Grek",),
    "eng": ("eng_Latn",), "eus": ("eus_Latn",), "fil": ("fil_Latn",), "fin": ("fin_Latn",),
    "fra": ("fra_Latn",), "gle": ("gle_Latn",), "guj": ("guj_Gujr",), "hat": ("hat_Latn",),
    "hau": ("hau_Latn",), "hin": ("hin_Deva",), "hun": ("hun_Latn",), "ibo": ("ibo_Latn",),
    "ind": ("ind_Latn",), "ita": ("ita_Latn",), "jav": ("jav_Latn",), "jpn": ("jpn_Jpan",),
    "kan": ("kan_Knda",), "kir": ("kir_Cyrl",), "kor": ("kor_Hang",),
    "kur": ("ckb_Arab", "kmr_Latn"), "lit": ("lit_Latn",), "mal": ("mal_Mlym",),
    "mar": ("mar_Deva",), "mlg": ("plt_Latn",), "msa": ("zsm_Latn",), "mya": ("mya_Mymr",),
    "nep": ("npi_Deva",), "nld": ("nld_Latn",), "nso": ("nso_Latn",), "nya": ("nya_Latn",),
    "pan": ("pan_Guru",), "pes": ("pes_Arab",), "pol": ("pol_Latn",), "por": ("por_Latn",),
    "pus": ("pbt_Arab",), "rus": ("rus_Cyrl",), "sin": ("sin_Sinh",), "sna": ("sna_Latn",),
    "snd": ("snd_Arab",), "som": ("som_Latn",), "spa": ("spa_Latn",), "sqi": ("als_Latn",),
    "srp": ("srp_Cyrl",), "sun": ("sun_Latn",), "swa": ("swh_Latn",), "swe": ("swe_Latn",),
    "tam": ("tam_Taml",), "tel": ("tel_Telu",), "tha": ("tha_Thai",), "tur": ("tur_Latn",),
    "ukr": ("ukr_Cyrl",), "urd": ("urd_Arab",), "vie": ("vie_Latn",), "wol": ("wol_Latn",),
    "xho": ("xho_Latn",), "yor": ("yor_Latn",), "zho": ("zho_Hans", "zho_Hant"),
    "zul": ("zul_Latn",),
}

#: Entries the app needs beyond FLORES-200 and Aya: Punjabi in Shahmukhi, which Pakistani
#: annotators write (FLORES has only pan_Guru). fil_Latn comes in through AYA.
EXTRA = ("pnb_Arab",)

#: Where the ISO 639-3 code is not how CLDR names the locale and no CLDR alias says so.
#: Values are CLDR locale ids (codes, not names).
CLDR_LOCALE_OVERRIDES = {
    "pnb_Arab": "pa_Arab",  # CLDR writes Shahmukhi Punjabi pa_Arab (pa_Arab_PK); its alias
    #                         pnb -> lah (Lahnda) has no locale.
    "azb_Arab": "az_Arab",  # South Azerbaijani (Iran) is CLDR's az_Arab (az_Arab_IR).
    "pbt_Arab": "ps",  # CLDR's ps is written Southern Pashto (the FLORES/Aya "Pashto").
    "quy_Latn": "qu",  # CLDR's qu is Southern Quechua (qu_PE), of which Ayacucho is part.
}

#: Scripts that CLDR's likely-subtags data names by a union script: Korean is "Kore"
#: (Hangul + Han) where FLORES says "Hang".
SCRIPT_EQUIVALENTS = {"Hang": ("Hang", "Kore"), "Kore": ("Kore", "Hang")}


def all_codes() -> list[str]:
    codes = set(FLORES200) | set(FLORES200_ALTERNATES) | set(EXTRA)
    for entries in AYA.values():
        codes.update(entries)
    return sorted(codes)


# --------------------------------------------------------------------------- CLDR helpers


class _Cldr:
    """Babel and langcodes data, loaded once."""

    def __init__(self) -> None:
        import langcodes
        from babel import Locale, localedata
        from babel.core import get_global
        from langcodes.data_dicts import MACROLANGUAGES

        self.langcodes = langcodes
        self.Locale = Locale
        self.locale_ids = set(localedata.locale_identifiers())
        self.aliases: dict[str, str] = dict(get_global("language_aliases"))
        self.likely: dict[str, str] = dict(get_global("likely_subtags"))
        self.macrolanguages: dict[str, str] = dict(MACROLANGUAGES)
        self.en = Locale("en")
        self.territories = sorted(t for t in self.en.territories if t.isalpha() and len(t) == 2)
        self._locales: dict[str, object] = {}

    def locale(self, locale_id: str):
        if locale_id not in self._locales:
            self._locales[locale_id] = self.Locale.parse(locale_id)
        return self._locales[locale_id]

    @staticmethod
    def split(locale_id: str) -> tuple[str, str, str]:
        """("pa", "Arab", "PK") from "pa_Arab_PK"; missing parts are ""."""
        from babel.core import parse_locale

        lang, territory, script, *_ = parse_locale(locale_id)
        return lang, script or "", territory or ""

    def likely_script(self, locale_id: str) -> str:
        lang, script, region = self.split(locale_id)
        if script:
            return script
        for key in (f"{lang}_{region}" if region else "", lang):
            if key and key in self.likely:
                return self.split(self.likely[key])[1]
        return ""

    def babel_locale_for(self, lang: str, script: str, region: str) -> str:
        """The Babel locale id for a language in a script, or "" when CLDR has none."""
        scripts = SCRIPT_EQUIVALENTS.get(script, (script,))
        candidates = [f"{lang}_{script}_{region}" if region else "", f"{lang}_{script}",
                      f"{lang}_{region}" if region else "", lang]
        for cand in candidates:
            if cand and cand in self.locale_ids and self.likely_script(cand) in scripts:
                return cand
        return ""


def _letters(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch).startswith("L")]


def _families(text: str) -> set[str]:
    """First word of the Unicode name of each letter: {"ARABIC"}, {"CJK"}, {"LATIN"}."""
    return {unicodedata.name(ch, "?").split()[0] for ch in _letters(text)}


# --------------------------------------------------------------------------- build


def build_rows() -> list[dict[str, str]]:
    """Compute every registry row (the generator's "build function")."""
    cldr = _Cldr()
    codes = all_codes()
    aya_of = {code: aya for aya, entries in AYA.items() for code in entries}

    # 1. The CLDR base of each entry: its own code, or where CLDR aliases it ("arb" -> "ar",
    #    "prs" -> "fa_AF"). An alias that folds two registry languages together ("twi" ->
    #    "ak" beside aka_Latn, "tgl" -> "fil" beside fil_Latn) is dropped for the one whose
    #    code is not the alias target, so that each entry keeps a tag of its own.
    reverse_aliases = defaultdict(set)
    for alias, target in cldr.aliases.items():
        reverse_aliases[target].add(alias)
    own_tag = {}
    for code in codes:
        iso = code.split("_")[0]
        own = iso
        target = cldr.aliases.get(iso, "")
        two_letter = {cldr.langcodes.Language.get(iso).language, *reverse_aliases[target]}
        for cand in sorted(two_letter):
            if len(cand) == 2 and cldr.langcodes.Language.get(cand, normalize=False) \
                    .to_alpha3() == iso:
                own = cand
        own_tag[code] = own
    base = {}
    for code in codes:
        iso, script = code.split("_")
        if code in CLDR_LOCALE_OVERRIDES:
            base[code] = CLDR_LOCALE_OVERRIDES[code]
        else:
            base[code] = cldr.aliases.get(iso) or cldr.aliases.get(own_tag[code]) \
                or own_tag[code]
    by_base = defaultdict(list)
    for code in codes:
        by_base[(base[code], code.split("_")[1])].append(code)
    for (target, _script), group in by_base.items():
        if len(group) > 1:
            keep = [c for c in group if own_tag[c] == cldr.split(target)[0]]
            for code in group:
                if code not in keep and code not in CLDR_LOCALE_OVERRIDES:
                    base[code] = own_tag[code]

    # 2. Script directions, once per script.
    directions = {}
    for script in sorted({c.split("_")[1] for c in codes}):
        directions[script] = derive_script_direction(script)[0]

    # Script samples (for checking that a name is written in the entry's script).
    def script_families(script: str) -> set[str]:
        likely = cldr.likely.get(f"und_{script}")
        if likely:
            loc = cldr.locale(likely)
            return _families(loc.languages.get(loc.language, ""))
        english = cldr.en.scripts.get(script, script)
        return {english.upper().split()[0]}

    rows = []
    for code in codes:
        iso, script = code.split("_")
        lang, _base_script, region = cldr.split(base[code])
        bcp47 = "-".join(p for p in (lang, script, region) if p)
        locale_id = cldr.babel_locale_for(lang, script, region)
        script_en = cldr.en.scripts.get(script, script)

        # English name: CLDR's English name for the locale (or the ISO code), else the
        # IANA registry's via langcodes. The "(script)" form is used only where needed.
        english = ""
        for key in (f"{lang}_{script}", f"{lang}_{region}" if region else "", iso, lang):
            if key and key in cldr.en.languages:
                english = cldr.en.languages[key]
                break
        if not english:
            english = cldr.langcodes.Language.get(lang, normalize=False).display_name("en")
        names = {"english": (english, f"{english} ({script_en})")}

        # Native name: the CLDR locale's name for its own language, else the langcodes
        # autonym if it is genuinely in this script (not English, not another script).
        source = ""
        if locale_id:
            loc = cldr.locale(locale_id)
            for key in (f"{lang}_{script}", f"{lang}_{region}" if region else "", lang):
                if key and key in loc.languages:
                    native = loc.languages[key]
                    qualified = f"{native} ({loc.scripts.get(script, script_en)})"
                    names["native"] = (native, qualified)
                    source = "babel"
                    break
        if not source:
            plain_tag = cldr.langcodes.Language.get(lang, normalize=False)
            autonym = plain_tag.autonym()
            display = plain_tag.display_name("en")
            if (autonym and autonym != display and "Unknown language" not in display
                    and _families(autonym) <= script_families(script)):
                qualified = cldr.langcodes.Language.get(bcp47, normalize=False).autonym()
                names["native"] = (autonym, qualified)
                source = "langcodes"

        rows.append({
            "code": code, "iso639_3": iso, "script": script, "bcp47": bcp47,
            "native_name_source": source, "direction": directions[script],
            "in_aya": "true" if code in aya_of else "false", "aya_code": aya_of.get(code, ""),
            "cldr_locale": locale_id, **_plural(cldr, iso, lang, script, locale_id),
            "_lang": lang, "_region": region, "_base": base[code], "_own": own_tag[code],
            "_names": names,
        })

    # A langcodes autonym that CLDR gives another language ("Akan" for Twi) names nothing.
    babel_natives = defaultdict(set)
    for row in rows:
        if row["native_name_source"] == "babel":
            babel_natives[row["_names"]["native"][0]].add(row["iso639_3"])
    for row in rows:
        if row["native_name_source"] == "langcodes" and \
                babel_natives.get(row["_names"]["native"][0], {row["iso639_3"]}) \
                != {row["iso639_3"]}:
            del row["_names"]["native"]
            row["native_name_source"] = ""

    # Names that would be ambiguous get the script: among entries sharing a name, the one
    # in the language's CLDR-likely script keeps it plain ("Punjabi", "Punjabi (Arabic)";
    # "Kashmiri", "Kashmiri (Devanagari)"; "Arabic", "Arabic (Latin)").
    for kind in ("english", "native"):
        groups = defaultdict(list)
        for row in rows:
            if kind in row["_names"]:
                groups[row["_names"][kind][0]].append(row)
        for group in groups.values():
            plain = [r for r in group if len(group) == 1 or r["script"] in SCRIPT_EQUIVALENTS.get(
                cldr.likely_script(r["_lang"]), (cldr.likely_script(r["_lang"]),))]
            for row in group:
                pick = 0 if len(plain) == 1 and row is plain[0] else 1
                row[f"{kind}_name"] = row["_names"][kind][pick]
    natives = defaultdict(list)
    for row in rows:
        if not row["native_name_source"]:
            row["native_name"] = row["english_name"]
            row["native_name_source"] = "english-fallback"
        natives[row["native_name"]].append(row["code"])
    clashes = {n: c for n, c in natives.items() if len(c) > 1}
    if clashes:
        raise ValueError(f"native names shared by several entries: {clashes}")
    english_seen = defaultdict(list)
    for row in rows:
        english_seen[row["english_name"]].append(row["code"])
    clashes = {n: c for n, c in english_seen.items() if len(c) > 1}
    if clashes:
        raise ValueError(f"English names shared by several entries: {clashes}")

    _add_lookup_keys(rows, cldr)
    for row in rows:
        for key in [k for k in row if k.startswith("_")]:  # working fields
            del row[key]
        for col in ("english_name", "native_name"):
            row[col] = unicodedata.normalize("NFC", row[col])  # DESIGN.md invariant 7
        for col, value in row.items():
            if "\t" in value or "\n" in value:
                raise ValueError(f"{row['code']}: {col} contains a tab or newline: {value!r}")
    return rows


def _plural(cldr: _Cldr, iso: str, lang: str, script: str, locale_id: str) -> dict[str, str]:
    """CLDR plural rule of the entry's language, else of its macrolanguage.

    CLDR keys plural rules by language alone (plurals.xml), so the script does not matter
    here: Romanized Arabic (arb_Latn) counts like Arabic, Santali in Bengali script like
    Santali.
    """
    plural_locale, how = locale_id, "cldr"
    if not plural_locale:
        alias = cldr.split(cldr.aliases.get(iso, iso))[0]  # tgl -> fil: CLDR's same language
        plural_locale = next((c for c in (lang, iso, alias) if c in cldr.locale_ids), "")
    if not plural_locale:
        macro = cldr.macrolanguages.get(iso) or cldr.macrolanguages.get(lang)
        if macro:
            macro = cldr.split(cldr.aliases.get(macro, macro))[0]
            plural_locale = macro if macro in cldr.locale_ids else ""
            how = "cldr-macrolanguage"
    if not plural_locale:
        return {"plural_rules": "", "plural_source": "none"}
    form = cldr.locale(plural_locale).plural_form
    rules = "; ".join(f"{cat}: {form.rules[cat]}" for cat in ("zero", "one", "two", "few", "many")
                      if cat in form.rules)
    return {"plural_rules": rules, "plural_source": f"{how}:{plural_locale}"}


def _add_lookup_keys(rows: list[dict[str, str]], cldr: _Cldr) -> None:
    """Give each row the lowercase tags that :func:`i18n.languages.resolve` maps to it.

    Script and region keys are made for the canonical (CLDR) language subtag only: resolve()
    first maps an alias ("pan", "zho") to its entry's canonical subtag ("pa", "zh").

    Candidates per key carry a rank (0 = the entry's own code, 1 = a CLDR alias of it); a
    key shared by several entries goes to the lowest rank, then to the script CLDR thinks
    most likely for the language, then to an entry without a region ("fa" -> pes_Arab,
    not prs_Arab = fa-Arab-AF), then to the entry whose own tag the key is.
    """
    by_code = {row["code"]: row for row in rows}
    reverse_aliases = defaultdict(set)
    for alias, target in cldr.aliases.items():
        reverse_aliases[target].add(alias.lower())

    cands: dict[str, dict[str, int]] = defaultdict(dict)

    def offer(key: str, code: str, rank: int) -> None:
        key = key.lower()
        if rank < cands[key].get(code, 99):
            cands[key][code] = rank

    for row in rows:
        code, iso, script, lang = row["code"], row["iso639_3"], row["script"], row["_lang"]
        offer(code.replace("_", "-"), code, 0)
        offer(row["bcp47"], code, 0)
        offer(iso, code, 0)
        offer(row["_own"], code, 0)
        offer(f"{row['_own']}-{script}", code, 0)
        rank = 0 if lang in (iso, row["_own"]) else 1
        offer(lang, code, rank)
        offer(f"{lang}-{script}", code, rank)
        if row["_region"]:
            offer(f"{lang}-{row['_region']}", code, rank)
        for alias in reverse_aliases.get(row["_base"], ()):
            offer(alias, code, 1)

    def choose(key: str, options: dict[str, int]) -> str:
        best = min(options.values())
        pool = sorted(c for c, r in options.items() if r == best)
        if len(pool) == 1:
            return pool[0]
        lang = key.split("-")[0]
        clang = cldr.split(cldr.aliases.get(lang, lang))[0]
        likely = cldr.likely_script(clang)
        likely_scripts = SCRIPT_EQUIVALENTS.get(likely, (likely,))

        def score(c: str) -> tuple:
            row = by_code[c]
            return (row["script"] not in likely_scripts, bool(row["_region"]),
                    key not in (row["iso639_3"], row["_own"]), c)

        return min(pool, key=score)

    chosen = {key: choose(key, options) for key, options in cands.items()}

    # Regions that change the likely script of an ambiguous language ("pa-PK" -> Shahmukhi,
    # "zh-TW" -> Traditional, "az-IR" -> South Azerbaijani in Arabic script).
    canonical = {row["_lang"] for row in rows}
    for key, options in list(cands.items()):
        if key not in canonical or len({by_code[c]["script"] for c in options}) < 2:
            continue
        clang = cldr.split(cldr.aliases.get(key, key))[0]
        for region in cldr.territories:
            likely = cldr.likely.get(f"{clang}_{region}")
            if not likely:
                continue
            script = cldr.split(likely)[1]
            pool = [c for c in options if by_code[c]["script"] in
                    SCRIPT_EQUIVALENTS.get(script, (script,))]
            if not pool:
                continue
            pool.sort(key=lambda c: (by_code[c]["_region"] != region,
                                     bool(by_code[c]["_region"]), options[c], c))
            if pool[0] != chosen[key] and f"{key}-{region.lower()}" not in chosen:
                chosen[f"{key}-{region.lower()}"] = pool[0]

    keys_of = defaultdict(list)
    for key, code in chosen.items():
        keys_of[code].append(key)
    for row in rows:
        row["lookup_keys"] = " ".join(sorted(keys_of[row["code"]]))


def render_tsv(rows: list[dict[str, str]]) -> str:
    lines = ["\t".join(TSV_COLUMNS)]
    for row in sorted(rows, key=lambda r: r["code"]):
        lines.append("\t".join(row[col] for col in TSV_COLUMNS))
    return "\n".join(lines) + "\n"


def build() -> str:
    """The full text of ``i18n/languages.tsv``."""
    return render_tsv(build_rows())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if i18n/languages.tsv differs from a fresh build")
    parser.add_argument("--output", default=TSV_PATH)
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        try:
            with open(args.output, encoding="utf-8", newline="") as f:
                current = f.read()
        except FileNotFoundError:
            current = ""
        if current != text:
            print(f"{args.output} is out of date: run build_scripts/gen_languages.py",
                  file=sys.stderr)
            return 1
        return 0
    with open(args.output, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    rows = text.count("\n") - 1
    fallbacks = [line.split("\t")[0] for line in text.splitlines()[1:]
                 if line.split("\t")[6] == "english-fallback"]
    print(f"wrote {args.output}: {rows} languages; native name falls back to English for "
          f"{len(fallbacks)}: {' '.join(fallbacks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
