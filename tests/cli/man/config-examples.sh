# The EXAMPLES of ft-config(5) are a valid config (the paths they name are created here).
mkdir -p models/llama && : >train.jsonl
awk '/^\.SH EXAMPLES/ { on = 1; next } on && /^\.nf/ { copy = 1; next } copy && /^\.fi/ { exit }
     copy { print }' "$ROOT/man/ft-config.5" | sed 's/\\-/-/g' >cfg.yml
[ -s cfg.yml ] || { echo "no EXAMPLES block found in man/ft-config.5"; exit 1; }
ft-validate cfg.yml
