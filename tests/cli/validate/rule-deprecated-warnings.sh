. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
noisy_embedding_alpha: 5
evaluation_strategy: "no"
dataset_processes: 4
EOF
ft-validate cfg.yml
