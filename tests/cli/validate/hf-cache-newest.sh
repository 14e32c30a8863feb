# Without refs/main the newest snapshot is used.
. "$ROOT/tests/lib/cfg.sh"
m=hub/models--org--tiny
mkdir -p $m/snapshots/old $m/snapshots/new
touch -d '2020-01-01' $m/snapshots/old
touch -d '2024-01-01' $m/snapshots/new
base | sed 's|^base_model: .*|base_model: org/tiny|' >cfg.yml
HF_HUB_CACHE=hub ft-validate --model-dir cfg.yml
