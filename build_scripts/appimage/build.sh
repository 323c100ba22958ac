#!/usr/bin/env bash
# Build Qalam-<version>-x86_64.AppImage from the onedir bundle (make dist-appimage).
#
#   build_scripts/appimage/build.sh dist/qalam
#
# Needs appimagetool on PATH (https://github.com/AppImage/appimagetool; it cannot be
# downloaded during this project's builds, so fetch it once by hand). Without it the AppDir
# is still assembled in build/Qalam.AppDir and the command to finish is printed.
#
# The AppImage runs the same frozen bundle: AppRun starts usr/lib/qalam/qalam. Beside the
# .AppImage file, portable.txt (portable mode) and qalam-provisioning.json work as beside the
# executable of the .tar.gz (the runtime sets $APPIMAGE; app/paths.py looks beside it).
set -euo pipefail

bundle=${1:-dist/qalam}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
version=$("$bundle/qalam" --version | sed -n 's/^Qalam \([^ ]*\).*/\1/p')
arch=$(uname -m)
appdir="$root/build/Qalam.AppDir"

rm -rf "$appdir"
mkdir -p "$appdir/usr/lib" "$appdir/usr/share/applications" \
         "$appdir/usr/share/icons/hicolor/256x256/apps" "$appdir/usr/share/metainfo"
cp -a "$bundle" "$appdir/usr/lib/qalam"
install -m 755 "$here/AppRun" "$appdir/AppRun"
cp "$root/resources/qalam.desktop" "$appdir/qalam.desktop"
cp "$root/resources/qalam.desktop" "$appdir/usr/share/applications/qalam.desktop"
cp "$root/resources/icons/qalam.png" "$appdir/qalam.png"
cp "$root/resources/icons/qalam.png" "$appdir/usr/share/icons/hicolor/256x256/apps/qalam.png"
ln -sf qalam.png "$appdir/.DirIcon"
sed "s/@VERSION@/$version/" "$here/org.qalam.Qalam.appdata.xml" \
    > "$appdir/usr/share/metainfo/org.qalam.Qalam.appdata.xml"

out="$root/dist/Qalam-$version-$arch.AppImage"
if ! command -v appimagetool >/dev/null; then
    echo "AppDir ready: $appdir"
    echo "appimagetool is not on PATH; finish with:"
    echo "  ARCH=$arch appimagetool --comp zstd $appdir $out"
    exit 2
fi
ARCH=$arch appimagetool --comp zstd "$appdir" "$out"
echo "$out"
