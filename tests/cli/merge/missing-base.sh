# a base folder that does not exist: exit 3 naming it, and no output folder left behind
ft-merge --base nope --adapter nope2 -o out
st=$?
test -z "$(ls -A)" || { ls -A >&2; exit 9; }
exit $st
