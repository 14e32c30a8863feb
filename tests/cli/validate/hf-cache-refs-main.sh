# base_model as a Hugging Face id, found offline in HF_HUB_CACHE; refs/main picks the snapshot
# even when another one is newer.
. "$ROOT/tests/lib/cfg.sh"
m=hub/models--org--tiny
mkdir -p $m/snapshots/abc123 $m/snapshots/def456 $m/refs
echo '{}' >$m/snapshots/abc123/config.json
printf 'abc123' >$m/refs/main
touch -d '2030-01-01' $m/snapshots/def456
base | sed 's|^base_model: .*|base_model: org/tiny|' >cfg.yml
HF_HUB_CACHE=hub ft-validate --model-dir cfg.yml
