printf 'base_model: !python/object x\n' >cfg.yml
ft-validate cfg.yml
