ft-validate "$DATA/configs/mistral__config.yml"
