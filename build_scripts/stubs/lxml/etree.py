"""See lxml/__init__.py here: a stand-in that refuses to be used."""


def __getattr__(name: str):
    raise ImportError(
        f"lxml.etree.{name}: lxml is not part of Qalam's frozen bundle "
        "(sacrebleu only needs it to read WMT test sets)"
    )
