. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
plugins:
  - axolotl.integrations.kd.KDPlugin
EOF
ft-validate cfg.yml
