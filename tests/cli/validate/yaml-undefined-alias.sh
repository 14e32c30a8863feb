printf 'base_model: *nope\n' >cfg.yml
ft-validate cfg.yml
