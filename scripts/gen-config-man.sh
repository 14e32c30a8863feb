#!/bin/sh
# Regenerates man/ft-config.5 from the schema table (common/schema.c) through
# `ft-validate --man`. Run after changing the table; tests/cli/man/config-man.sh fails until
# the committed page matches.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/bin/ft-validate" --man >"$root/man/ft-config.5.tmp"
mv "$root/man/ft-config.5.tmp" "$root/man/ft-config.5"
