#!/usr/bin/env bash
# Fetch a Debian source package (bookworm, main) into DEST without touching
# the system's apt configuration: a deb-src list in a temp dir.  Nothing
# fetched is committed; tests and benchmarks call this at run time.
#   scripts/fetch-debian-src.sh PACKAGE DEST_DIR   -> prints the unpacked source dir
set -euo pipefail
pkg=$1
dest=$2
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
state="$dest/.apt"
mkdir -p "$state/lists/partial" "$state/etc"
echo "deb-src http://deb.debian.org/debian bookworm main" >"$state/etc/sources.list"
opts=(-o Dir::Etc::SourceList="$state/etc/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists="$state/lists" -o APT::Sandbox::User=root)
if [ ! -f "$state/updated" ]; then
  apt-get "${opts[@]}" update -qq >&2
  touch "$state/updated"
fi
existing=$(find "$dest" -maxdepth 1 -mindepth 1 -type d -name "${pkg}-*" | head -1)
if [ -z "$existing" ]; then
  (cd "$dest" && apt-get "${opts[@]}" source --download-only -qq "$pkg" >&2 &&
    dpkg-source --no-check -x "$(ls -t ${pkg}_*.dsc | head -1)" >&2)
  existing=$(find "$dest" -maxdepth 1 -mindepth 1 -type d -name "${pkg}-*" | head -1)
fi
echo "$existing"
