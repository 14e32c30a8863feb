# a model folder with config.json but no weights says how to start from random ones
. "$ROOT/tests/cli/train/_cfg.inc"
ft-train -c cfg.yml --reinit_weights false
