. "$ROOT/tests/lib/cfg.sh"
mkdir -p Magistral-Small
base | sed 's|^base_model: .*|base_model: ./Magistral-Small|' >cfg.yml
ft-validate cfg.yml
