printf 'datasets:\n\t- path: x\n' >cfg.yml
ft-validate cfg.yml
