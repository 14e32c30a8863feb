. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
ft-validate cfg.yml --output_dir "$(printf 'out\377')"
