"""Stand-in for lxml in the frozen app (build_scripts/qalam.spec puts it first on the path).

sacrebleu imports ``lxml.etree`` when it is imported, only to read WMT test sets; Qalam uses
sacrebleu for TER alone and never reads one. The real lxml would add 8 MB to the bundle.
Anything that does use it gets an ImportError that says why.
"""
