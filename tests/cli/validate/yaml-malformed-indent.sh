printf 'base_model: x\n  datasets: [\n' >cfg.yml
ft-validate cfg.yml
