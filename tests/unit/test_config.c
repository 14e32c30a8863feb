/* test_config: the config library as other tools use it — accessors, positions, derived
 * values, the trainer-side step functions — and the one behaviour ft-validate cannot show:
 * without CONFIG_FOR_VALIDATE a missing model or data file is an error (exit 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"

static int fails;
#define EXPECT(cond, ...) do { if (!(cond)) { printf(__VA_ARGS__); printf("\n"); fails++; } } while (0)

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(2);
	}
}

/* Runs config_load in a child; returns its exit status. */
static int load_status(const char *path, int flags)
{
	fflush(NULL); /* a child exiting through exit() must not re-flush our buffers */
	pid_t pid = fork();
	if (pid == 0) {
		ft_verbosity = 0;
		freopen("/dev/null", "w", stderr);
		ft_config_t *c = config_load(path, NULL, 0, flags);
		config_free(c);
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void)
{
	char dir[] = "/tmp/ft-test-config.XXXXXX";
	if (!mkdtemp(dir) || chdir(dir)) {
		perror("temp dir");
		return 2;
	}
	mkdir("model", 0755);
	write_file("data.jsonl", "");
	write_file("cfg.yml",
		"base_model: ./model\n"
		"datasets:\n"
		"  - path: data.jsonl\n"
		"    type: chat_template\n"
		"chat_template: chatml\n"
		"micro_batch_size: 4\n"
		"batch_size: 32\n"
		"learning_rate: 2e-4\n"
		"warmup_ratio: 0.1\n"
		"num_epochs: 2\n"
		"saves_per_epoch: 4\n"
		"sample_packing: yes\n");
	ft_verbosity = 0; /* the batch_size hint is expected */
	cfg_override_t ov[] = { { "sequence_len", "1024" } };
	ft_config_t *c = config_load("cfg.yml", ov, 1, 0);
	EXPECT(config_num(c, "learning_rate", 0) == 2e-4, "learning_rate %g", config_num(c, "learning_rate", 0));
	EXPECT(config_int(c, "gradient_accumulation_steps", 0) == 8, "gas %ld",
		config_int(c, "gradient_accumulation_steps", 0));
	EXPECT(config_int(c, "sequence_len", 0) == 1024, "sequence_len %ld", config_int(c, "sequence_len", 0));
	EXPECT(config_bool(c, "sample_packing", 0) == 1, "sample_packing");
	EXPECT(config_bool(c, "pad_to_sequence_len", 0) == 1, "pad_to_sequence_len derived");
	EXPECT(config_num(c, "save_steps", 0) == 0.125, "save_steps %g", config_num(c, "save_steps", 0));
	EXPECT(!strcmp(config_str(c, "datasets.0.chat_template", ""), "chatml"), "chat_template copy-down");
	EXPECT(!strcmp(config_str(c, "lr_scheduler", ""), "cosine"), "lr_scheduler default");
	EXPECT(!strcmp(config_str(c, "optimizer", ""), "adamw_torch_fused"), "optimizer default");
	EXPECT(config_int(c, "save_total_limit", 0) == 4, "save_total_limit default");
	EXPECT(config_get(c, "lora_r") == NULL, "unset field reads as absent");
	EXPECT(config_int(c, "lora_r", 7) == 7, "default for an absent field");
	EXPECT(!strcmp(config_where(c, "datasets.0.type"), "'cfg.yml':4:11"), "where %s",
		config_where(c, "datasets.0.type"));
	EXPECT(!strcmp(config_where(c, "sequence_len"), "'--sequence_len'"), "where %s",
		config_where(c, "sequence_len"));
	EXPECT(!strcmp(config_where(c, "seed"), "'cfg.yml'"), "where %s", config_where(c, "seed"));
	EXPECT(!strcmp(config_path(c), "cfg.yml"), "path");
	EXPECT(strlen(config_fingerprint(c)) == 16, "fingerprint %s", config_fingerprint(c));
	EXPECT(config_model_dir(c) && !strcmp(config_model_dir(c), "./model"), "model dir");
	/* warm-up and logging steps follow Axolotl's trainer builder */
	EXPECT(config_warmup_steps(c, 1000) == 100, "warmup ratio: %ld", config_warmup_steps(c, 1000));
	EXPECT(config_logging_steps(c, 1000) == 5, "logging %ld", config_logging_steps(c, 1000));
	EXPECT(config_logging_steps(c, 10) == 1, "logging floor");
	EXPECT(config_logging_steps(c, 100000) == 10, "logging cap");
	char *fp = strdup(config_fingerprint(c));
	config_free(c);

	write_file("plain.yml", "base_model: ./model\ndatasets: [{path: data.jsonl}]\n"
				"micro_batch_size: 1\ngradient_accumulation_steps: 1\nlearning_rate: 0.1\n");
	c = config_load("plain.yml", NULL, 0, 0);
	EXPECT(config_warmup_steps(c, 1000) == 30, "warmup 3%%: %ld", config_warmup_steps(c, 1000));
	EXPECT(config_warmup_steps(c, 100000) == 100, "warmup cap");
	EXPECT(config_warmup_steps(c, 40) == 2, "warmup 1 becomes 2: %ld", config_warmup_steps(c, 40));
	EXPECT(strcmp(fp, config_fingerprint(c)), "different configs, different fingerprints");
	config_free(c);
	free(fp);

	/* Missing model or data: an error for the tools that read them, a warning for
	 * ft-validate, nothing for a tool that reads neither (ft-pack). */
	write_file("nomodel.yml", "base_model: ./absent\ndatasets: [{path: data.jsonl}]\n"
				  "micro_batch_size: 1\ngradient_accumulation_steps: 1\nlearning_rate: 0.1\n");
	write_file("nodata.yml", "base_model: ./model\ndatasets: [{path: absent.jsonl}]\n"
				 "micro_batch_size: 1\ngradient_accumulation_steps: 1\nlearning_rate: 0.1\n");
	EXPECT(load_status("nomodel.yml", CONFIG_NEEDS_MODEL) == 2, "missing model must exit 2");
	EXPECT(load_status("nomodel.yml", CONFIG_NEEDS_DATA) == 0, "model not needed");
	EXPECT(load_status("nomodel.yml", CONFIG_FOR_VALIDATE) == 0, "missing model only warns in validate");
	EXPECT(load_status("nodata.yml", CONFIG_NEEDS_DATA) == 2, "missing data must exit 2");
	EXPECT(load_status("nodata.yml", CONFIG_NEEDS_MODEL) == 0, "data not needed");
	EXPECT(load_status("nodata.yml", CONFIG_FOR_VALIDATE) == 0, "missing data only warns in validate");

	const char *files[] = { "cfg.yml", "plain.yml", "nomodel.yml", "nodata.yml", "data.jsonl" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		unlink(files[i]);
	rmdir("model");
	if (chdir("/") == 0)
		rmdir(dir);
	return fails ? 1 : 0;
}
