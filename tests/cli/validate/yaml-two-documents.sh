printf 'a: 1\n---\nb: 2\n' >cfg.yml
ft-validate cfg.yml
