#!/bin/sh
# Installs the Debian packages ft builds and tests with, if any is missing (apt-get, through
# sudo when not root). Quick when everything is there: it only asks dpkg.
set -eu
pkgs="build-essential libyaml-dev libcjson-dev libzstd-dev libpcre2-dev zstd python3"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps: run as root: apt-get install -y$missing" >&2; exit 2; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q $missing
