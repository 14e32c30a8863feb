ft-validate --print=yes cfg.yml
