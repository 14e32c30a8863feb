printf 'base_model: "x\nlearning_rate: 1\n' >cfg.yml
ft-validate cfg.yml
