ft-validate "$DATA/configs/llama-3__lora-1b.yml"
