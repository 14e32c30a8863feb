/* test_modelcfg: config.json to the architecture description — the fixture configs read as
 * their architecture is documented (codebases.md 4c), transformers 4 and 5 RoPE layouts agree,
 * defaults follow the transformers config classes, and what we do not support is refused by
 * name (tested in a forked child: refusal exits the process). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "hf_fixture.h"
#include "modelcfg.h"

static int fails;
#define CHECK(cond, ...) do { if (!(cond)) { fails++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static void parse(modelcfg_t *c, const char *json)
{
	cJSON *j = cJSON_Parse(json);
	if (!j) {
		printf("bad test JSON: %s\n", json);
		exit(1);
	}
	modelcfg_from_json(c, j, "config.json");
	cJSON_Delete(j);
}

/* Parsing json must exit with FT_EXIT_DATA and a message containing needle. */
static void refused(const char *json, const char *needle)
{
	int p[2];
	if (pipe(p) != 0) {
		perror("pipe");
		exit(1);
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		modelcfg_t c;
		parse(&c, json);
		_exit(0);
	}
	close(p[1]);
	char buf[1024] = {0};
	size_t n = 0;
	ssize_t r;
	while (n < sizeof buf - 1 && (r = read(p[0], buf + n, sizeof buf - 1 - n)) > 0)
		n += (size_t)r;
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	int ok = WIFEXITED(st) && WEXITSTATUS(st) == FT_EXIT_DATA && strstr(buf, needle);
	CHECK(ok, "expected refusal with '%s', got status %d: %s", needle, WIFEXITED(st) ? WEXITSTATUS(st) : -1, buf);
	if (ok)
		printf("ok   refused: %s", buf);
}

/* keys given before BASE win: cJSON finds the first of duplicate keys */
#define BASE "\"vocab_size\":256,\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2," \
	     "\"num_attention_heads\":4,\"num_key_value_heads\":2"

int main(void)
{
	char dir[4096];
	modelcfg_t c;
	struct { const char *arch; int HD, tied, qkn, bias, sandwich, act, plus1; float softcap, fsoftcap; int slide0; } want[] = {
		{"llama", 16, 0, 0, 0, 0, ACT_SILU, 0, 0, 0, 0},
		{"mistral", 16, 0, 0, 0, 0, ACT_SILU, 0, 0, 0, 0},
		{"qwen2", 16, 1, 0, 1, 0, ACT_SILU, 0, 0, 0, 0},
		{"qwen3", 32, 1, 1, 0, 0, ACT_SILU, 0, 0, 0, 0},
		{"gemma", 16, 1, 0, 0, 0, ACT_GELU_TANH, 1, 0, 0, 0},
		{"gemma2", 16, 1, 0, 0, 1, ACT_GELU_TANH, 1, 50, 30, 1},
	};
	for (int i = 0; i < 6; i++) {
		if (!hf_fixture(want[i].arch, dir, sizeof dir)) {
			printf("skip %s: no fixture\n", want[i].arch);
			continue;
		}
		modelcfg_load(&c, dir);
		CHECK(c.V == 256 && c.C == 64 && c.L == 2 && c.NH == 4 && c.NKV == 2 && c.I == 128, "%s dims", want[i].arch);
		CHECK(c.HD == want[i].HD && c.tied == want[i].tied && c.qk_norm == want[i].qkn && c.qkv_bias == want[i].bias
		      && c.sandwich_norm == want[i].sandwich && (int)c.act == want[i].act && c.norm_plus_one == want[i].plus1
		      && c.attn_softcap == want[i].softcap && c.final_softcap == want[i].fsoftcap
		      && c.layer_sliding[0] == want[i].slide0 && !c.layer_sliding[1], "%s features", want[i].arch);
		CHECK(fabsf(c.eps - 1e-5f) < 1e-12f, "%s eps", want[i].arch);
		printf("ok   %s config\n", want[i].arch);
	}
	if (hf_fixture("gemma2", dir, sizeof dir)) {
		modelcfg_load(&c, dir);
		CHECK(c.sliding_window == 8 && c.attn_scale == 0.25f && c.embed_scale == 8.0f, "gemma2 window/scales");
	}

	/* RoPE: transformers 4 (rope_theta + rope_scaling with "type") and 5 (rope_parameters) agree */
	modelcfg_t v4, v5;
	parse(&v4, "{\"model_type\":\"llama\"," BASE ",\"rope_theta\":500000,\"rope_scaling\":{\"type\":\"llama3\","
		   "\"factor\":8,\"low_freq_factor\":1,\"high_freq_factor\":4,\"original_max_position_embeddings\":8192}}");
	parse(&v5, "{\"model_type\":\"llama\"," BASE ",\"rope_parameters\":{\"rope_type\":\"llama3\",\"rope_theta\":500000,"
		   "\"factor\":8,\"low_freq_factor\":1,\"high_freq_factor\":4,\"original_max_position_embeddings\":8192}}");
	CHECK(v4.rope.type == ROPE_LLAMA3 && memcmp(&v4.rope, &v5.rope, sizeof v4.rope) == 0, "llama3 v4 != v5");
	float f4[64], f5[64], s4, s5;
	int d4 = rope_inv_freq(&v4.rope, v4.HD, 2048, 0, f4, &s4), d5 = rope_inv_freq(&v5.rope, v5.HD, 2048, 0, f5, &s5);
	CHECK(d4 == 16 && d5 == 16 && memcmp(f4, f5, sizeof(float) * 8) == 0 && s4 == 1, "llama3 inv_freq differ");
	/* llama3 by hand on dim 16: the highest frequency (wavelength 2 pi < 8192/4) is unchanged,
	 * the lowest (1/500000^(14/16): wavelength > 8192) is divided by the factor */
	CHECK(f4[0] == 1.0f && fabsf(f4[7] - 1.0f / powf(500000.0f, 14.0f / 16) / 8) < 1e-12f, "llama3 ends");
	modelcfg_t d;
	parse(&d, "{\"model_type\":\"llama\"," BASE ",\"rope_scaling\":{\"rope_type\":\"linear\",\"factor\":4}}");
	rope_inv_freq(&d.rope, d.HD, 2048, 0, f4, &s4);
	CHECK(d.rope.theta == 10000 && f4[1] == 1.0f / powf(10000, 2.0f / 16) / 4, "linear");
	parse(&d, "{\"model_type\":\"qwen2\"," BASE ",\"rope_scaling\":{\"type\":\"yarn\",\"factor\":4,"
		  "\"original_max_position_embeddings\":32768},\"max_position_embeddings\":131072}");
	rope_inv_freq(&d.rope, d.HD, d.max_pos, 0, f4, &s4);
	CHECK(d.rope.type == ROPE_YARN && fabsf(s4 - (float)(0.1 * log(4.0) + 1)) < 1e-6f, "yarn attention factor %g", s4);
	/* by hand: correction range lo = floor(16 ln(32768 / (32 2 pi)) / (2 ln 10000)) = 4,
	 * hi = ceil(16 ln(32768 / (2 pi)) / (2 ln 10000)) = 8; i = 7 is 3/4 interpolated */
	float ex = 1.0f / powf(10000, 14.0f / 16);
	CHECK(f4[0] == 1.0f && fabsf(f4[7] - (0.75f * ex / 4 + 0.25f * ex)) < 1e-9f, "yarn ramp %g", f4[7]);
	printf("ok   rope layouts and scaling\n");

	/* defaults and per-architecture rules */
	parse(&d, "{\"model_type\":\"qwen3\"," BASE "}");
	CHECK(d.HD == 128 && d.qk_norm && !d.tied, "qwen3 defaults");
	parse(&d, "{\"model_type\":\"gemma\"," BASE "}");
	CHECK(d.HD == 256 && d.tied && d.act == ACT_GELU_TANH && d.norm_plus_one, "gemma defaults");
	parse(&d, "{\"model_type\":\"llama\",\"num_key_value_heads\":null,\"head_dim\":null," BASE "}");
	CHECK(d.NKV == 4 && d.HD == 16, "null kv heads / head_dim");
	parse(&d, "{\"model_type\":\"qwen2\"," BASE ",\"sliding_window\":4096,\"use_sliding_window\":false}");
	CHECK(d.sliding_window == 0 && !d.layer_sliding[1], "qwen2 sliding off");
	parse(&d, "{\"model_type\":\"qwen2\"," BASE ",\"sliding_window\":16,\"use_sliding_window\":true,\"max_window_layers\":1}");
	CHECK(d.sliding_window == 16 && !d.layer_sliding[0] && d.layer_sliding[1], "qwen2 max_window_layers");
	parse(&d, "{\"model_type\":\"qwen3\"," BASE ",\"sliding_window\":4096,\"use_sliding_window\":false}");
	CHECK(d.sliding_window == 0, "qwen3 sliding off");
	parse(&d, "{\"model_type\":\"mistral\"," BASE ",\"sliding_window\":4096}");
	CHECK(d.sliding_window == 4096 && d.layer_sliding[0] && d.layer_sliding[1], "mistral sliding");
	parse(&d, "{\"model_type\":\"gemma3_text\",\"num_hidden_layers\":6," BASE ",\"sliding_window\":512,"
		  "\"query_pre_attn_scalar\":256,\"rope_theta\":1000000,\"rope_local_base_freq\":10000,"
		  "\"rope_scaling\":{\"rope_type\":\"linear\",\"factor\":8}}");
	CHECK(d.qk_norm && d.sandwich_norm && d.attn_softcap == 0 && d.L == 6 && d.layer_sliding[0] && d.layer_sliding[4] && !d.layer_sliding[5]
	      && d.rope.type == ROPE_LINEAR && d.rope.theta == 1e6f && d.rope_local.type == ROPE_DEFAULT
	      && d.rope_local.theta == 10000 && d.attn_scale == 1.0f / 16, "gemma3 v4");
	parse(&d, "{\"model_type\":\"gemma3_text\"," BASE ",\"sliding_window\":512,\"layer_types\":[\"sliding_attention\","
		  "\"full_attention\"],\"rope_parameters\":{\"full_attention\":{\"rope_type\":\"linear\",\"factor\":8,"
		  "\"rope_theta\":1000000},\"sliding_attention\":{\"rope_type\":\"default\",\"rope_theta\":10000}}}");
	CHECK(d.layer_sliding[0] && !d.layer_sliding[1] && d.rope.type == ROPE_LINEAR && d.rope.factor == 8
	      && d.rope_local.theta == 10000 && d.rope_local.type == ROPE_DEFAULT, "gemma3 v5");
	parse(&d, "{\"model_type\":\"phi3\"," BASE ",\"partial_rotary_factor\":0.75,\"hidden_size\":64,\"head_dim\":16}");
	CHECK(d.fused_qkv && d.rope.partial_rotary_factor == 0.75f, "phi3");
	printf("ok   defaults and per-architecture rules\n");

	/* refused by name */
	refused("{\"model_type\":\"gpt2\"," BASE "}", "model_type 'gpt2' is not supported");
	refused("{\"model_type\":\"gemma3_text\"," BASE ",\"use_bidirectional_attention\":true}",
		"'use_bidirectional_attention' is not supported");
	refused("{\"model_type\":\"gemma3\"}", "without a 'text_config'");
	refused("{\"model_type\":\"phi3\"," BASE ",\"rope_scaling\":{\"type\":\"longrope\",\"short_factor\":[1],"
		"\"long_factor\":[1]}}", "needs 'short_factor', a list of 8 numbers");
	refused("{\"model_type\":\"llama\"," BASE ",\"rope_scaling\":{\"type\":\"ntk\",\"factor\":2}}",
		"rope scaling type 'ntk' is not supported");
	refused("{\"model_type\":\"llama\"," BASE ",\"hidden_act\":\"relu\"}", "'relu' is not supported");
	refused("{\"model_type\":\"llama\"," BASE ",\"mlp_bias\":true}", "'mlp_bias'");
	refused("{\"model_type\":\"llama\",\"num_key_value_heads\":3," BASE "}", "not a multiple");
	refused("{\"model_type\":\"llama\"," BASE ",\"rope_scaling\":{\"rope_type\":\"linear\"}}", "needs 'factor'");
	refused("{\"model_type\":\"llama\",\"hidden_size\":-1," BASE "}", "'hidden_size' must be a positive integer");
	refused("{\"model_type\":\"qwen2\"," BASE ",\"layer_types\":[\"full_attention\",\"chunked_attention\"]}",
		"'chunked_attention' is not supported");
	printf("%d failures\n", fails);
	return fails ? 1 : 0;
}
