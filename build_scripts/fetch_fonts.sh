#!/usr/bin/env bash
# Refresh the bundled Noto fonts in resources/fonts/ from Debian's fonts-noto-core package.
#
# How the committed font files were obtained (and how to reproduce or refresh them):
#   1. `apt-get download fonts-noto-core=<version>` fetches the .deb from Debian's archive
#      (no installation, nothing on the system changes);
#   2. `dpkg -x` unpacks it into a temporary directory;
#   3. the regular-weight, static, non-UI TTF of each family listed in FONTS below is copied
#      to resources/fonts/, together with the package's copyright file (verbatim) and the
#      SIL Open Font License 1.1 text taken from it (OFL.txt);
#   4. README.md (file / family / scripts / licence / version table) and SHA256SUMS are
#      regenerated from the copied files.
#
# The fonts are committed to the repository: the application never downloads fonts at run time.
# After a refresh, run the font tests (tests/test_fonts.py) and commit resources/fonts/.
# If you add or remove a file here, update BUNDLED_FONTS in ui/fonts.py as well.
#
# Usage: build_scripts/fetch_fonts.sh
#   NOTO_DEB_VERSION=20201225-1  (default) the Debian package version to fetch;
#                                set it to "" to take apt's current candidate.
# Needs: apt-get (after `apt-get update`), dpkg, fc-query (package fontconfig), sha256sum.
set -euo pipefail

NOTO_DEB_VERSION="${NOTO_DEB_VERSION-20201225-1}"
PACKAGE=fonts-noto-core

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/resources/fonts"

# file|ISO 15924 scripts|what it covers (for the README)
FONTS=(
  "NotoSans-Regular.ttf|Latn Grek Cyrl|Latin (incl. Yoruba tone marks with underdots, Vietnamese), Greek, Cyrillic"
  "NotoNaskhArabic-Regular.ttf|Arab|Arabic script, Naskh style (Arabic, Persian, Pashto, Sindhi, ...)"
  "NotoNastaliqUrdu-Regular.ttf|Aran|Arabic script, Nastaliq style (Urdu, Punjabi Shahmukhi)"
  "NotoSansHebrew-Regular.ttf|Hebr|Hebrew (incl. niqqud), Yiddish"
  "NotoSansDevanagari-Regular.ttf|Deva|Devanagari (Hindi, Marathi, Nepali, Sanskrit, ...)"
  "NotoSansBengali-Regular.ttf|Beng|Bengali-Assamese (Bengali, Assamese, Manipuri)"
  "NotoSansGurmukhi-Regular.ttf|Guru|Gurmukhi (Punjabi)"
  "NotoSansGujarati-Regular.ttf|Gujr|Gujarati"
  "NotoSansOriya-Regular.ttf|Orya|Odia"
  "NotoSansTamil-Regular.ttf|Taml|Tamil"
  "NotoSansTelugu-Regular.ttf|Telu|Telugu"
  "NotoSansKannada-Regular.ttf|Knda|Kannada"
  "NotoSansMalayalam-Regular.ttf|Mlym|Malayalam"
  "NotoSansSinhala-Regular.ttf|Sinh|Sinhala"
  "NotoSansEthiopic-Regular.ttf|Ethi|Ethiopic (Amharic, Tigrinya, ...)"
  "NotoSansMyanmar-Regular.ttf|Mymr|Myanmar (Burmese, Shan, ...)"
  "NotoSansKhmer-Regular.ttf|Khmr|Khmer"
  "NotoSansLao-Regular.ttf|Laoo|Lao"
  "NotoSansThai-Regular.ttf|Thai|Thai"
  "NotoSansGeorgian-Regular.ttf|Geor|Georgian"
  "NotoSansArmenian-Regular.ttf|Armn|Armenian"
  "NotoSerifTibetan-Regular.ttf|Tibt|Tibetan (Standard Tibetan, Dzongkha); no Sans Tibetan exists"
  "NotoSansOlChiki-Regular.ttf|Olck|Ol Chiki (Santali)"
  "NotoSansTifinagh-Regular.ttf|Tfng|Tifinagh (Tamazight, Neo-Tifinagh/IRCAM)"
)

for tool in apt-get dpkg dpkg-deb fc-query sha256sum; do
  command -v "$tool" >/dev/null || { echo "fetch_fonts.sh: missing $tool" >&2; exit 1; }
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
chmod 0755 "$TMP"
# Let apt download as its unprivileged _apt user when run as root (avoids a sandbox warning).
chown _apt "$TMP" 2>/dev/null || true

spec="$PACKAGE"
[[ -n "$NOTO_DEB_VERSION" ]] && spec="$PACKAGE=$NOTO_DEB_VERSION"
(cd "$TMP" && apt-get download "$spec")
deb="$(ls "$TMP"/"$PACKAGE"_*.deb)"
version="$(dpkg-deb -f "$deb" Version)"
dpkg -x "$deb" "$TMP/x"
src="$TMP/x/usr/share/fonts/truetype/noto"
copyright="$TMP/x/usr/share/doc/$PACKAGE/copyright"

mkdir -p "$DEST"
# Only the files we manage are replaced; anything else in $DEST is left alone.
for entry in "${FONTS[@]}"; do
  file="${entry%%|*}"
  [[ -f "$src/$file" ]] || { echo "fetch_fonts.sh: $file not in $PACKAGE $version" >&2; exit 1; }
  install -m 0644 "$src/$file" "$DEST/$file"
done
install -m 0644 "$copyright" "$DEST/$PACKAGE.copyright"

# OFL.txt: the copyright holders from the package's copyright file followed by the OFL 1.1 text
# (the "License: OFL-1.1" stanza, un-indented; a lone "." is a blank line in Debian's format).
{
  echo "Noto fonts: Copyright 2010, 2012-2020 Google Inc.; Copyright 2015-2020 Google LLC."
  echo "(source: $PACKAGE $version, /usr/share/doc/$PACKAGE/copyright; upstream"
  echo "https://github.com/googlei18n/noto-fonts, now https://github.com/notofonts)"
  echo
  echo "This Font Software is licensed under the SIL Open Font License, Version 1.1."
  echo
  # The stanza is the one whose first line is "License: OFL-1.1" (the same line inside a
  # "Files:" stanza only names the licence).
  awk '
    on && !/^ / { exit }
    on { sub(/^ /, ""); if ($0 == ".") $0 = ""; print; next }
    prev == "" && /^License: OFL-1.1$/ { on = 1 }
    { prev = $0 }
  ' "$copyright"
} > "$DEST/OFL.txt"
grep -q "PERMISSION & CONDITIONS" "$DEST/OFL.txt" || { echo "OFL text not found" >&2; exit 1; }

# README.md with one row per file; family and version are read from the font itself.
{
  cat <<EOF
# Bundled fonts

Generated by \`build_scripts/fetch_fonts.sh\` — edit that script, not this file.

Regular-weight, static (non-variable), non-UI Noto fonts so that text in these scripts renders
on machines that have none of them installed. They are registered at run time by
\`ui/fonts.py\` (\`QFontDatabase.addApplicationFont\`, lazily per script) and selected
explicitly with \`QFont.setFamilies\`; nothing is downloaded at run time.

Source: Debian package \`$PACKAGE\` version \`$version\` (\`apt-get download\` + \`dpkg -x\`).

Licence: every font below is © Google Inc. / Google LLC under the **SIL Open Font License 1.1**
— see [OFL.txt](OFL.txt) (licence text) and [$PACKAGE.copyright]($PACKAGE.copyright)
(the Debian package's copyright file, verbatim). Checksums are in [SHA256SUMS](SHA256SUMS).

| File | Family | Scripts (ISO 15924) | Covers | Licence | Version |
| --- | --- | --- | --- | --- | --- |
EOF
  for entry in "${FONTS[@]}"; do
    IFS='|' read -r file scripts covers <<<"$entry"
    family="$(fc-query -f '%{family[0]}' "$DEST/$file")"
    fontver="$(fc-query -f '%{fontversion}' "$DEST/$file" | awk '{ printf "%.3f", $1 / 65536 }')"
    size_kb="$(( $(stat -c %s "$DEST/$file") / 1024 ))"
    echo "| \`$file\` (${size_kb} KiB) | $family | ${scripts// /, } | $covers | OFL-1.1 | $fontver |"
  done
  cat <<'EOF'

Not bundled: CJK and Hangul (tens of MB each; rely on the system's fonts), bold/italic weights
(Qt synthesises bold when needed).
EOF
} > "$DEST/README.md"

(cd "$DEST" && sha256sum -- *.ttf > SHA256SUMS)

echo "Copied ${#FONTS[@]} fonts from $PACKAGE $version to $DEST"
du -ch "$DEST"/*.ttf | tail -1
