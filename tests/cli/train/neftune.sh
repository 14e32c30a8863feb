# NEFTune is refused by name (the engine has no embedding-noise hook yet)
. "$ROOT/tests/cli/train/_cfg.inc"
ft-train -c cfg.yml --neftune_noise_alpha 5
