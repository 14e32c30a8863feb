/* test_model_phi3: Phi-3 checkpoints keep q/k/v as rows of one qkv_proj and gate/up as rows of
 * one gate_up_proj (transformers' Phi3Attention/Phi3MLP: q rows, then k, then v; gate rows,
 * then up). With those split, Phi-3 is Llama's math: the same weights give the same logits as a
 * llama model, a saved Phi-3 checkpoint holds the fused tensors and loads back unchanged, and
 * LoRA on the fused modules is refused by name. No Hugging Face fixture exists for phi3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "hf_fixture.h"
#include "model.h"
#include "ops.h"

#define DIMS "\"vocab_size\":64,\"hidden_size\":32,\"intermediate_size\":48,\"num_hidden_layers\":2," \
	     "\"num_attention_heads\":4,\"num_key_value_heads\":2,\"rms_norm_eps\":1e-5,\"rope_theta\":10000," \
	     "\"initializer_range\":0.2"

static model_t *from_json(const char *json, uint64_t seed)
{
	cJSON *j = cJSON_Parse(json);
	modelcfg_t c;
	modelcfg_from_json(&c, j, "config.json");
	cJSON_Delete(j);
	return model_init_random(&c, seed, &ops_cpu);
}

int main(void)
{
	int ok = 1;
	const char *phi = "{\"model_type\":\"phi3\"," DIMS "}";
	model_t *ll = from_json("{\"model_type\":\"llama\"," DIMS "}", 5), *ph = from_json(phi, 5);
	/* same parameters in the same order: the same seed gives the same weights */
	for (int i = 0; i < model_nparams(ph); i++)
		ok &= memcmp(model_param(ph, i)->data, model_param(ll, i)->data, model_param(ph, i)->numel * 4) == 0;
	enum { N = 20 };
	int ids[N], tg[N], cu[3] = {0, 8, 20};
	for (int i = 0; i < N; i++) {
		ids[i] = (i * 7 + 3) % 64;
		tg[i] = (i * 11 + 1) % 64;
	}
	batch_t b = {.N = N, .ids = ids, .cu_seqlens = cu, .nseq = 2, .targets = tg};
	float l1 = model_forward(ll, &b), l2 = model_forward(ph, &b);
	printf("%s phi3 loss %.7f = llama loss %.7f with the same weights\n", l1 == l2 ? "ok  " : "FAIL", l2, l1);
	ok &= l1 == l2;

	char dir[] = "/tmp/ft-test-phi3.XXXXXX", path[256];
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/config.json", dir);
	FILE *f = fopen(path, "w");
	fputs(phi, f);
	fclose(f);
	snprintf(path, sizeof path, "%s/model.safetensors", dir);
	model_save_weights(ph, path, ST_F32);
	st_file_t *sf = st_open(path);
	const st_tensor_t *qkv = st_find(sf, "model.layers.1.self_attn.qkv_proj.weight"),
			  *gu = st_find(sf, "model.layers.0.mlp.gate_up_proj.weight");
	int shapes = qkv && gu && !st_find(sf, "model.layers.0.self_attn.q_proj.weight") && qkv->shape[0] == (4 + 2 * 2) * 8
		     && qkv->shape[1] == 32 && gu->shape[0] == 96 && gu->shape[1] == 32;
	/* k rows of layer 1 start after the 32 q rows; up rows after the 48 gate rows */
	if (shapes) {
		param_t *k1 = model_param_by_name(ll, "model.layers.1.self_attn.k_proj.weight");
		param_t *up0 = model_param_by_name(ll, "model.layers.0.mlp.up_proj.weight");
		shapes = memcmp((const float *)qkv->data + 32 * 32, k1->data, k1->numel * 4) == 0
			 && memcmp((const float *)gu->data + 48 * 32, up0->data, up0->numel * 4) == 0;
	}
	printf("%s saved phi3 checkpoint has fused qkv_proj and gate_up_proj in HF row order\n", shapes ? "ok  " : "FAIL");
	ok &= shapes;
	st_close(sf);
	model_t *back = model_load(dir, &ops_cpu);
	int same = 1;
	for (int i = 0; i < model_nparams(back); i++)
		same &= memcmp(model_param(back, i)->data, model_param(ph, i)->data, model_param(ph, i)->numel * 4) == 0;
	printf("%s phi3 checkpoint loads back unchanged\n", same ? "ok  " : "FAIL");
	ok &= same;

	/* LoRA on o_proj works; on the fused modules it is refused */
	lora_cfg_t lc = {.r = 2, .alpha = 4};
	lc.target[LIN_O] = lc.target[LIN_DOWN] = 1;
	model_lora_add(back, &lc, 1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		lora_cfg_t bad = {.r = 2, .alpha = 4};
		bad.target[LIN_Q] = 1;
		close(2);
		model_lora_add(ph, &bad, 1);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	int refused = WIFEXITED(st) && WEXITSTATUS(st) == FT_EXIT_DATA;
	printf("%s LoRA on phi3 qkv_proj refused\n", refused ? "ok  " : "FAIL");
	ok &= refused;
	model_free(back);
	model_free(ll);
	model_free(ph);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("warning: could not remove %s\n", dir);
	return ok ? 0 : 1;
}
