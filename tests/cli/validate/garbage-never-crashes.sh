# No input crashes ft-validate: truncated and mutated configs, random bytes, deep nesting,
# huge values. Every run must end in 0 (valid) or 2 (invalid), never a signal or a sanitizer
# report (run this under `make test SAN=1`). Inputs are generated from fixed seeds.
. "$ROOT/tests/lib/cfg.sh"
src="$DATA/configs/llama-3__lora-1b.yml"
n=0
check() { # file
	ft-validate "$1" >/dev/null 2>err.txt
	rc=$?
	n=$((n + 1))
	if [ $rc != 0 ] && [ $rc != 2 ]; then
		echo "exit status $rc on $1:"; head -c 300 "$1" | od -c | head -5; head -5 err.txt; exit 1
	fi
}
size=$(wc -c <"$src")
i=1
while [ $i -lt "$size" ]; do head -c $i "$src" >t.yml; check t.yml; i=$((i + 97)); done
for seed in 1 2 3 4 5 6 7 8 9 10 11 12; do
	awk -v s=$seed 'BEGIN { srand(s); for (i = 0; i < 400; i++) printf "%c", int(rand() * 256) }' >r.yml
	check r.yml
	awk -v s=$seed 'BEGIN { srand(s) } { out = ""; for (i = 1; i <= length($0); i++) {
		c = substr($0, i, 1); if (rand() < 0.03) c = substr(":-[]{}&*!|>%@`#,? \"'\''\t", int(rand() * 22) + 1, 1);
		out = out c } print out }' "$src" >m.yml
	check m.yml
done
awk 'BEGIN { for (i = 0; i < 400; i++) printf "["; for (i = 0; i < 400; i++) printf "]"; print "" }' >deep.yml
check deep.yml
awk 'BEGIN { printf "base_model: "; for (i = 0; i < 200000; i++) printf "x"; print "" }' >long.yml
check long.yml
awk 'BEGIN { for (i = 0; i < 300; i++) printf "%" i "s- a: 1\n", "" }' >stairs.yml
check stairs.yml
printf 'base_model: ./model\ndatasets: {path: x}\nlearning_rate: .nan\nsequence_len: 1e999\nseed: 99999999999999999999999\n' >vals.yml
check vals.yml
printf '\357\273\277base_model: "\\x00\\ud800"\n' >bom.yml
check bom.yml
printf 'a: &a\n  b: *a\n' >self.yml
check self.yml
printf '? [a, b]\n: c\n' >complex.yml
check complex.yml
printf '<<: 5\n' >merge.yml
check merge.yml
[ $n -gt 40 ] || { echo "only $n inputs ran"; exit 1; }
