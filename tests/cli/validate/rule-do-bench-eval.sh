. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
do_bench_eval: true
EOF
ft-validate cfg.yml
