"""Benchmark: check_submission on a 2,000-character completion, beside a baseline.

    .venv/bin/python bench/quality.py [--runs 5] [--calls 200]

The checks run debounced after typing stops, off the UI thread; target: the median
check_submission stays under 10 ms. The baseline, measured in the same run on the same text,
is ``unicodedata.normalize("NFC")`` plus ``len()`` (what every save already does), so the
ratio says what the checks cost on top of a save on this machine. Also printed: the language
model's load time (once per process, on first use), one identification call, and the HTER of
a 2,000-character post-edit (the one check that grows faster than the text).
"""

from __future__ import annotations

import argparse
import statistics
import time
import unicodedata

from app import quality
from app.diffs import hter

SENTENCES = {
    "hin_Deva": "बारिश के मौसम में धान की खेती कैसे करें, यह मेरी दादी ने मुझे सिखाया था। ",
    "arb_Arab": "تعلمت القراءة من جدتي في القرية، وكانت تحكي لنا القصص كل مساء. ",
    "yor_Latn": "Ọmọ náà lọ sí ọjà láti ra ẹja àti ẹ̀fọ́ fún ìyá rẹ̀ ní àárọ̀ yìí. ",
    "tha_Thai": "เด็กไปตลาดเพื่อซื้อปลาและผักให้แม่ของเขาเมื่อเช้านี้ ",
}


def _text(sentence: str, chars: int = 2_000) -> str:
    return (sentence * (chars // len(sentence) + 1))[:chars]


def _median_ms(fn, calls: int) -> float:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def bench_load() -> float:
    quality._model = None
    quality._model_failed = False
    started = time.perf_counter()
    quality._identifier()
    return (time.perf_counter() - started) * 1000


def bench_language(language: str, calls: int) -> tuple[float, float, float]:
    sentence = SENTENCES[language]
    completion = _text(sentence)
    prompt = sentence.strip()
    # 200 earlier prompts of the same language, as a busy annotator would have.
    earlier = [f"{n}. {prompt[: 20 + n % 40]}" for n in range(200)]

    def checks():
        quality.check_submission(kind="original", language=language, inputs=prompt,
                                 targets=completion, earlier=earlier)

    def baseline():
        len(unicodedata.normalize("NFC", prompt)) + len(unicodedata.normalize("NFC", completion))

    def identify():
        quality.identify_language(completion)

    return _median_ms(checks, calls), _median_ms(baseline, calls), _median_ms(identify, calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    loads = [bench_load() for _ in range(args.runs)]
    print(f"language model load (first use): median {statistics.median(loads):.1f} ms "
          f"over {args.runs} loads")
    ours_all, base_all = [], []
    for run in range(args.runs):
        line = []
        for language in SENTENCES:
            ours, base, ident = bench_language(language, args.calls)
            ours_all.append(ours)
            base_all.append(base)
            line.append(f"{language} {ours:.3f} ms (identify {ident:.3f})")
        print(f"run {run + 1}: check_submission " + "; ".join(line), flush=True)
    ours, base = statistics.median(ours_all), statistics.median(base_all)
    print(f"baseline NFC+len over the same text: {base:.4f} ms")
    mt = _text(SENTENCES["tha_Thai"])
    edited = mt.replace("ปลา", "ไก่")
    thai = _median_ms(lambda: hter(mt, edited), 5)
    mt = _text(SENTENCES["hin_Deva"])
    edited = mt.replace("धान", "गेहूँ")
    hindi = _median_ms(lambda: hter(mt, edited), 5)
    print(f"hter on a 2,000-character post-edit: Thai (per cluster) {thai:.1f} ms, Hindi "
          f"(per word) {hindi:.1f} ms")
    print(
        f"\nmedian over {args.runs} runs × {len(SENTENCES)} languages: check_submission "
        f"{ours:.3f} ms = ×{ours / base:.0f} the NFC+len baseline ({base:.4f} ms); "
        f"target ≤ 10 ms [{'OK' if ours <= 10 else 'MISSED'}]"
    )


if __name__ == "__main__":
    main()
