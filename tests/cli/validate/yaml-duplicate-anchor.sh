printf 'a: &x 1\nb: &x 2\n' >cfg.yml
ft-validate cfg.yml
