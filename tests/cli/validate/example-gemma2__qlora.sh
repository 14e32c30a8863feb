ft-validate "$DATA/configs/gemma2__qlora.yml"
