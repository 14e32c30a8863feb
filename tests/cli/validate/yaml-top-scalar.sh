printf 'hello\n' >cfg.yml
ft-validate cfg.yml
