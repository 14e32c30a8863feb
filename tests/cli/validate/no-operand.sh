ft-validate
