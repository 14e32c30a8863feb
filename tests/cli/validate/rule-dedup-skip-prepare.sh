. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
dataset_exact_deduplication: true
skip_prepare_dataset: true
EOF
ft-validate cfg.yml
