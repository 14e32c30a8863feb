{ echo 'a: &a [x, x, x, x, x, x, x, x, x, x]'; p=a; for n in b c d e f g h; do echo "$n: &$n [*$p, *$p, *$p, *$p, *$p, *$p, *$p, *$p, *$p, *$p]"; p=$n; done; } >cfg.yml
ft-validate cfg.yml
