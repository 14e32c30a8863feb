. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
lr_groups:
  - name: emb
    modules: [embed_tokens]
    lr: 0.001
loraplus_lr_ratio: 16
EOF
ft-validate cfg.yml
