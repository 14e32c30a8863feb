: >cfg.yml
ft-validate cfg.yml
