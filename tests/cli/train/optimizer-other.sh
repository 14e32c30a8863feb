# an optimizer ft does not have is refused by name
. "$ROOT/tests/cli/train/_cfg.inc"
ft-train -c cfg.yml --optimizer lion_8bit
