# The whole resolved config of a small file, byte for byte: sorted keys, no spaces, defaults
# and derived values filled, nulls left out.
. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
ft-validate --print cfg.yml
