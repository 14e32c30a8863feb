ft-validate "$DATA/configs/llama-3__fft-8b.yaml"
