. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
pretrain_multipack_buffer_size: 100
streaming_multipack_buffer_size: 100
EOF
ft-validate cfg.yml
