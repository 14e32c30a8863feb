. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
eval_causal_lm_metrics: [sacrebleu, bleu]
EOF
ft-validate cfg.yml
