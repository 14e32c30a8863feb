ft-validate nope.yml
