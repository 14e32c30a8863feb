. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
neftune_noise_alpha: 5
noisy_embedding_alpha: 5
EOF
ft-validate cfg.yml
