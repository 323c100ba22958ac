"""The language registry (i18n/languages.py, generated i18n/languages.tsv)."""

import importlib.util
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from i18n import languages
from i18n.languages import UnknownLanguage

ROOT = Path(__file__).resolve().parent.parent

# FLORES-200 as released (204 codes; Santali ships as sat_Olck). Source: the "Languages in
# FLORES-200" table of facebookresearch/flores, flores200/README.md (which spells Santali
# sat_Beng; the registry has both spellings).
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
FLORES200 = _FLORES200_TEXT.split()

# The Aya Dataset's languages: the `language:` list of the CohereForAI/aya_dataset dataset
# card (huggingface.co/datasets/CohereForAI/aya_dataset, README.md, revision 476abc2):
# 70 ISO 639-3 codes, "65 languages (71 including dialects & scripts)" -- the six Arabic
# codes below are one language.
_AYA_CARD_TEXT = """
amh arb ary ars acq arz apc ben ceb dan deu ell eng eus fil fin fra gle guj hat hau hin
hun ibo ind ita jav jpn kan kir kor kur lit mal mar mlg msa mya nep nld nso nya pan pes
pol por pus rus sin sna snd som spa sqi srp sun swa swe tam tel tha tur ukr urd vie wol
xho yor zho zul
"""
AYA_CARD = _AYA_CARD_TEXT.split()
AYA_ARABIC = {"arb", "ary", "ars", "acq", "arz", "apc"}


# --------------------------------------------------------------------------- names, direction

@pytest.mark.parametrize(
    ("code", "direction", "native"),
    [
        ("arb_Arab", "rtl", "العربية"),
        ("urd_Arab", "rtl", "اردو"),
        ("pes_Arab", "rtl", "فارسی"),
        ("heb_Hebr", "rtl", "עברית"),
        ("hin_Deva", "ltr", "हिन्दी"),
        ("amh_Ethi", "ltr", "አማርኛ"),
        ("yor_Latn", "ltr", "Èdè Yorùbá"),
        ("swh_Latn", "ltr", "Kiswahili"),
        ("hau_Latn", "ltr", "Hausa"),
        ("pan_Guru", "ltr", "ਪੰਜਾਬੀ"),
        ("pnb_Arab", "rtl", "پنجابی"),
    ],
)
def test_direction_and_native_name(code, direction, native):
    lang = languages.get(code)
    assert lang.direction == direction
    assert lang.is_rtl is (direction == "rtl")
    assert lang.native_name == native
    assert lang.native_name_source == "babel"  # from CLDR, not typed


def test_direction_comes_from_the_script_not_the_language():
    # Punjabi is both; Hausa in Latin is ltr even though Hausa is also written in Ajami.
    assert languages.get("pan_Guru").direction == "ltr"
    assert languages.get("pnb_Arab").direction == "rtl"
    by_script = {}
    for lang in languages.all_languages():
        by_script.setdefault(lang.script, set()).add(lang.direction)
        assert lang.direction == languages.script_direction(lang.script)
    assert all(len(directions) == 1 for directions in by_script.values())
    assert {s for s, d in by_script.items() if d == {"rtl"}} == {"Arab", "Hebr"}


def test_stored_directions_match_the_derivation():
    for script in sorted({lang.script for lang in languages.all_languages()}):
        direction, evidence = languages.derive_script_direction(script)
        assert direction == languages.script_direction(script), script
        assert evidence != "unknown", script


def test_script_direction_outside_the_registry():
    assert languages.script_direction("Thaa") == "rtl"  # Thaana (Dhivehi)
    assert languages.script_direction("syrc") == "rtl"
    assert languages.script_direction("Nkoo") == "rtl"
    assert languages.script_direction("Cyrl") == "ltr"
    with pytest.raises(ValueError):
        languages.script_direction("Arabic")


def test_bcp47():
    assert languages.get("urd_Arab").bcp47 == "ur-Arab"
    assert languages.get("pan_Guru").bcp47 == "pa-Guru"
    assert languages.get("pnb_Arab").bcp47 == "pa-Arab"
    assert languages.get("prs_Arab").bcp47 == "fa-Arab-AF"
    assert languages.get("ace_Latn").bcp47 == "ace-Latn"


def test_names_are_distinct_and_nfc():
    langs = languages.all_languages()
    for attr in ("english_name", "native_name"):
        names = [getattr(lang, attr) for lang in langs]
        assert len(set(names)) == len(names), attr
        assert all(n and unicodedata.is_normalized("NFC", n) for n in names), attr
    assert {lang.native_name_source for lang in langs} <= {"babel", "langcodes",
                                                          "english-fallback"}
    fallback = [lang for lang in langs if lang.native_name_source == "english-fallback"]
    assert all(lang.native_name == lang.english_name for lang in fallback)
    assert languages.get("zho_Hans").native_name != languages.get("zho_Hant").native_name


# --------------------------------------------------------------------------- coverage

def test_every_flores200_code_is_present():
    assert len(FLORES200) == len(set(FLORES200)) == 204
    codes = {lang.code for lang in languages.all_languages()}
    assert set(FLORES200) <= codes
    assert "sat_Beng" in codes  # the README's spelling
    for code in FLORES200:
        lang = languages.get(code)
        assert (lang.iso639_3, lang.script) == tuple(code.split("_"))


def test_exactly_the_aya_languages_are_flagged():
    assert len(AYA_CARD) == len(set(AYA_CARD)) == 70
    assert len({"ara" if c in AYA_ARABIC else c for c in AYA_CARD}) == 65
    aya = languages.aya_languages()
    assert all(lang.in_aya and lang.aya_code for lang in aya)
    assert not any(lang.aya_code for lang in languages.all_languages() if not lang.in_aya)
    assert {lang.aya_code for lang in aya} == set(AYA_CARD)
    # One entry per Aya code, except "kur" (Sorani and Kurmanji) and "zho" (both scripts).
    assert len(aya) == 72
    multi = {c: sorted(lang.code for lang in aya if lang.aya_code == c) for c in ("kur", "zho")}
    assert multi == {"kur": ["ckb_Arab", "kmr_Latn"], "zho": ["zho_Hans", "zho_Hant"]}
    # Each Aya code resolves (by CLDR data) to one of the entries flagged with it, so the
    # macrolanguage mapping (msa -> zsm_Latn, pus -> pbt_Arab, ...) agrees with CLDR.
    for code in AYA_CARD:
        assert languages.resolve(code).aya_code == code, code
    assert languages.get("fil_Latn").in_aya  # Aya's Filipino: no FLORES code
    assert not languages.get("tgl_Latn").in_aya


def test_all_languages_sorted_and_unique():
    langs = languages.all_languages()
    codes = [lang.code for lang in langs]
    assert codes == sorted(codes) == sorted(set(codes))
    assert languages.aya_languages() == tuple(lang for lang in langs if lang.in_aya)


# --------------------------------------------------------------------------- lookups

@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("urd_Arab", "urd_Arab"),
        ("urd", "urd_Arab"),
        ("ur", "urd_Arab"),
        ("ur-PK", "urd_Arab"),
        ("UR_pk", "urd_Arab"),
        ("pa-Arab", "pnb_Arab"),
        ("pa-PK", "pnb_Arab"),
        ("pa", "pan_Guru"),
        ("pan", "pan_Guru"),
        ("pnb", "pnb_Arab"),
        ("ara", "arb_Arab"),
        ("arb", "arb_Arab"),
        ("ar-EG", "arb_Arab"),
        ("ar-Latn", "arb_Latn"),
        ("ary", "ary_Arab"),
        ("zh", "zho_Hans"),
        ("zh-TW", "zho_Hant"),
        ("zh-Hans-TW", "zho_Hans"),
        ("zho-Hant", "zho_Hant"),
        ("fa", "pes_Arab"),
        ("fa-AF", "prs_Arab"),
        ("az-IR", "azb_Arab"),
        ("he", "heb_Hebr"),
        ("iw", "heb_Hebr"),
        ("msa", "zsm_Latn"),
        ("sw", "swh_Latn"),
        ("tl", "tgl_Latn"),
        ("fil", "fil_Latn"),
        ("ks-Deva", "kas_Deva"),
        ("en-US-u-ca-gregory", "eng_Latn"),
        ("  hau_Latn ", "hau_Latn"),
    ],
)
def test_resolve(tag, code):
    assert languages.resolve(tag).code == code


def test_every_entry_resolves_to_itself():
    for lang in languages.all_languages():
        assert languages.resolve(lang.code) is lang
        assert languages.resolve(lang.code.lower()) is lang
        assert languages.resolve(lang.bcp47) is lang


def test_unknown_code_is_a_clear_error():
    with pytest.raises(UnknownLanguage, match="xxx_Latn") as info:
        languages.get("xxx_Latn")
    assert isinstance(info.value, ValueError)
    with pytest.raises(UnknownLanguage, match="'urd'"):
        languages.get("urd")  # get() wants the exact registry code
    with pytest.raises(UnknownLanguage, match="script Latn"):
        languages.resolve("ur-Latn")  # never silently switch script
    for bad in ("", "xx", "qqq-Zzzz", "12", None):
        with pytest.raises(UnknownLanguage):
            languages.resolve(bad)


# --------------------------------------------------------------------------- plurals

def test_arabic_plural_rule_has_six_categories():
    rule = languages.plural_rule("arb_Arab")
    assert {rule(n) for n in range(111)} == {"zero", "one", "two", "few", "many", "other"}
    assert [rule(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102)] == [
        "zero", "one", "two", "few", "few", "many", "many", "other", "other"]


def test_plural_rules_and_fallbacks():
    assert languages.plural_rule("urd_Arab")(1) == "one"
    assert languages.plural_rule("urd_Arab")(2) == "other"
    assert languages.plural_rule("zho_Hans")(1) == "other"  # CLDR: no plural categories
    # No CLDR locale for Egyptian Arabic: Arabic's rule, recorded as such.
    egyptian = languages.get("arz_Arab")
    assert egyptian.plural_source == "cldr-macrolanguage:ar"
    assert languages.plural_rule("arz_Arab")(2) == "two"
    # Nothing at all in CLDR: None, and the TSV says so.
    none = [lang for lang in languages.all_languages() if lang.plural_source == "none"]
    assert none and all(languages.plural_rule(lang.code) is None for lang in none)
    with pytest.raises(UnknownLanguage):
        languages.plural_rule("xxx_Latn")


# --------------------------------------------------------------------------- the TSV


def _generator():
    pytest.importorskip("babel")
    pytest.importorskip("langcodes")
    path = ROOT / "build_scripts" / "gen_languages.py"
    spec = importlib.util.spec_from_file_location("gen_languages", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tsv_is_current():
    generator = _generator()
    current = Path(languages.TSV_PATH).read_bytes().decode("utf-8")
    assert generator.build() == current, "run build_scripts/gen_languages.py"


def test_generator_codes_match_the_sources():
    generator = _generator()
    assert set(generator.FLORES200) == set(FLORES200)
    assert set(generator.AYA) == set(AYA_CARD)


def test_tsv_shape():
    lines = Path(languages.TSV_PATH).read_text(encoding="utf-8").split("\n")
    assert lines[0].split("\t") == list(languages.TSV_COLUMNS)
    assert lines[-1] == ""
    rows = [line.split("\t") for line in lines[1:-1]]
    assert all(len(row) == len(languages.TSV_COLUMNS) for row in rows)
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)


def test_runtime_loads_without_langcodes_or_babel():
    code = (
        "import sys, time\n"
        "t = time.perf_counter()\n"
        "from i18n import languages\n"
        "languages.all_languages(); languages.resolve('ur-PK'); languages.get('pnb_Arab')\n"
        "ms = (time.perf_counter() - t) * 1000\n"
        "bad = sorted(m for m in ('langcodes', 'language_data', 'babel') if m in sys.modules)\n"
        "print(ms, ' '.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[1:] == []  # neither langcodes nor babel was imported: what kept it fast
    # Typically ~2 ms; `< 50` failed a clean CI run at 53.96 ms.
    assert float(out[0]) < 500  # bound, not a benchmark
