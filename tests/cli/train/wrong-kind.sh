# --data must be a .ftp or .ftt, not the JSONL it came from
. "$ROOT/tests/cli/train/_cfg.inc"
ft-train -c cfg.yml --data d.jsonl
