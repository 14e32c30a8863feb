printf -- '- base_model: x\n' >cfg.yml
ft-validate cfg.yml
