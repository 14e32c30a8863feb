printf '# nothing here\n' >cfg.yml
ft-validate cfg.yml
