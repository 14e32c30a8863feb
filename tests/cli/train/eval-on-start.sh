# eval_on_start as Axolotl sets it (core/builders/base.py: with eval_steps or an eval_strategy)
# and the Trainer runs it (at the start of every train(), a resumed one too): the validation
# loss before the first step is metrics.jsonl's first entry, at step 0. Without an eval
# cadence there is no evaluation before training.
set -e
. "$ROOT/tests/cli/train/_cfg.inc"
head -n 40 "$ROOT/examples/pretokenized/train.jsonl" > d.jsonl
cat >>cfg.yml <<YAML
val_set_size: 0.1
max_steps: 4
logging_steps: 1
YAML
evals() { grep '"eval_loss"' "$1" | sed 's/.*"step":\([0-9]*\).*/\1/' | tr '\n' ' '; }
# eval_steps: 0, 2, 4 (the last step's evaluation is the final one)
ft-train -q -c cfg.yml --eval_steps 2 --output_dir a
test "$(head -n 1 a/metrics.jsonl | grep -c '"eval_loss"')" = 1
test "$(head -n 1 a/metrics.jsonl | grep -c '"step":0')" = 1
test "$(evals a/metrics.jsonl)" = "0 2 4 "
# eval_strategy: epoch (36 training rows, micro batch 1: the 4 steps end no epoch): start and end
ft-train -q -c cfg.yml --eval_strategy epoch --output_dir b
test "$(evals b/metrics.jsonl)" = "0 4 "
# eval_strategy: steps without eval_steps: every logging_steps, as TrainingArguments does
ft-train -q -c cfg.yml --eval_strategy steps --output_dir c
test "$(evals c/metrics.jsonl)" = "0 1 2 3 4 "
# no cadence: no evaluation before training, one at the end
ft-train -q -c cfg.yml --output_dir d
test "$(evals d/metrics.jsonl)" = "4 "
# a resumed run evaluates again at the step it resumes from, as the Trainer does
ft-train -q -c cfg.yml --eval_steps 2 --output_dir e --stop-after 1
ft-train -q -c cfg.yml --eval_steps 2 --output_dir e --auto_resume_from_checkpoints true
test "$(evals e/metrics.jsonl)" = "0 1 2 4 "
