. "$ROOT/tests/lib/cfg.sh"
base | grep -v '^gradient_accumulation_steps:' >cfg.yml
cat >>cfg.yml <<'EOF'
num_epochs: 2
saves_per_epoch: 4
evals_per_epoch: 2
val_set_size: 0.05
batch_size: 8
EOF
ft-validate cfg.yml '--print' >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '^\[?\{?"(batch_size|gradient_accumulation_steps|micro_batch_size|eval_batch_size|save_steps|eval_steps|save_strategy|eval_strategy|save_total_limit)"'
