# the 8-bit optimizers are refused by name
. "$ROOT/tests/cli/train/_cfg.inc"
ft-train -c cfg.yml --optimizer adamw_bnb_8bit
