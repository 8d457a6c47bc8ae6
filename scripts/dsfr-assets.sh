#!/bin/sh
# Copies the built files of the DSFR (Système de design de l'État) that the pages use from the npm package's
# dist/ into the application's static files, where the wheel and the Docker image take them from: the style
# sheet, the scripts (module and nomodule), the Marianne and Spectral fonts, and only the icons the style sheet
# names (a few dozen of the package's thousands). POSIX sh: the Dockerfile's node stage runs it too.
# Usage: scripts/dsfr-assets.sh <@gouvfr/dsfr/dist> <destination>
set -eu
src="$1"
dest="$2"
[ -f "$src/dsfr.min.css" ] || { echo "DSFR not found in $src: run the npm installation of scripts/node" >&2; exit 1; }
tmp="$dest.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp/fonts"
cp "$src/dsfr.min.css" "$src/dsfr.module.min.js" "$src/dsfr.nomodule.min.js" "$tmp/"
cp "$src"/fonts/*.woff2 "$src"/fonts/*.woff "$tmp/fonts/"
cp "$src/favicon/favicon.svg" "$tmp/"
grep -o 'url(icons/[^)]*)' "$src/dsfr.min.css" | sed 's/^url(//; s/)$//' | sort -u | while read -r icon; do
  mkdir -p "$tmp/$(dirname "$icon")"
  cp "$src/$icon" "$tmp/$icon"
done
cp "$src/../package.json" "$tmp/package.json"  # the version served, for the record
rm -rf "$dest"
mv "$tmp" "$dest"
