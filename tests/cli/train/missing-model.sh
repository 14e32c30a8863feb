# a base_model that does not exist is a config error naming it
. "$ROOT/tests/cli/train/_cfg.inc"
ft-train -c cfg.yml --base_model ./nope
