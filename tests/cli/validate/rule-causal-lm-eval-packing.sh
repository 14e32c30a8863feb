. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
do_causal_lm_eval: true
eval_sample_packing: true
EOF
ft-validate cfg.yml
