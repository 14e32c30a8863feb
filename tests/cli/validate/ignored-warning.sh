. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
flash_attention: true
wandb_project: proj
torch_compile: true
plugins:
  - axolotl.integrations.liger.LigerPlugin
EOF
ft-validate cfg.yml
