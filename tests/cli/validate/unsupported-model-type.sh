. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
model_type: AutoModelForSequenceClassification
EOF
ft-validate cfg.yml
