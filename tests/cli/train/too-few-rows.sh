# fewer rows than one micro batch is an error, not an empty run
. "$ROOT/tests/cli/train/_cfg.inc"
ft-train -c cfg.yml --micro_batch_size 100
