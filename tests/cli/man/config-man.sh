# man/ft-config.5 is generated from the schema table; it must match what the code says now.
# On failure run scripts/gen-config-man.sh and commit the result.
ft-validate --man >page.5 || exit 1
cmp -s page.5 "$ROOT/man/ft-config.5" || { echo "man/ft-config.5 is stale: run scripts/gen-config-man.sh"; diff "$ROOT/man/ft-config.5" page.5 | head -20; exit 1; }
