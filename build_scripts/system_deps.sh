#!/usr/bin/env bash
# Debian packages the test suite needs (Qt's offscreen platform: fontconfig, EGL, xkbcommon;
# gettext's msgfmt for the catalog checks; binutils for trimming ICU data in `make dist`;
# chromium for the dashboard's browser tests, driven by Playwright: never `playwright install`;
# npm for axe-core, which those tests inject into every page (build_scripts/axe_core.sh);
# Xvfb, openbox, xdotool, DejaVu Sans and Qt's X11 (xcb) libraries for the kill test at a real
# display, tests/test_kill_display.py).
# Installs only what is missing, so a machine that has them all does no network work.
set -euo pipefail
packages=(libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libglib2.0-0 gettext binutils
          chromium npm
          xvfb xauth xdotool openbox fontconfig fonts-dejavu-core libxcb-cursor0 libxkbcommon-x11-0
          libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
          libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0)
missing=()
# The machine's own Node.js ships npm and conflicts with Debian's npm package: ask Debian for
# npm only where there is no npm at all.
if command -v npm >/dev/null; then
    packages=("${packages[@]/#npm/}")
fi
for package in "${packages[@]}"; do
    [ -n "$package" ] || continue
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "Missing Debian packages: ${missing[*]} — install them with apt-get (as root)." >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
