/* test_sched_adamw: the learning-rate schedules against transformers' formulas
 * (optimization.py: get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup,
 * get_constant_schedule_with_warmup; Axolotl's get_cosine_schedule_with_min_lr) and one and two
 * AdamW updates against torch.optim.AdamW's update rule. The expected numbers were computed in
 * Python (double) from those formulas, written out below with the inputs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "optim.h"
#include "lrsched.h"

static int ok = 1;

static void near(const char *what, double got, double want, double rtol)
{
	int good = fabs(got - want) <= 1e-15 + rtol * fabs(want);
	printf("%s %-44s got %.17g want %.17g\n", good ? "ok  " : "FAIL", what, got, want);
	ok &= good;
}

int main(void)
{
	char w[64];
	/* warm-up 3 over 20 steps; s = completed steps (step s + 1 uses it) */
	static const struct { long s; double cos, lin; } t[] = {
		{0, 0.0, 0.0}, {1, 0.3333333333333333, 0.3333333333333333}, {3, 1.0, 1.0},
		{7, 0.8695044586103295, 0.7647058823529411}, {19, 0.008513450158049107, 0.058823529411764705},
		{20, 0.0, 0.0},
	};
	sched_t c = {SCHED_COSINE, 3, 20, -1}, l = {SCHED_LINEAR, 3, 20, -1};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		snprintf(w, sizeof w, "cosine W=3 T=20 s=%ld", t[i].s);
		near(w, sched_factor(&c, t[i].s), t[i].cos, 1e-15);
		snprintf(w, sizeof w, "linear W=3 T=20 s=%ld", t[i].s);
		near(w, sched_factor(&l, t[i].s), t[i].lin, 1e-15);
	}
	/* cosine_min_lr_ratio 0.1, warm-up 2 over 12 */
	sched_t mn = {SCHED_COSINE, 2, 12, 0.1};
	static const struct { long s; double f; } tm[] = {
		{0, 0.0}, {2, 1.0}, {6, 0.6890576474687263}, {11, 0.12202456766718092}, {12, 0.1},
	};
	for (size_t i = 0; i < sizeof tm / sizeof *tm; i++) {
		snprintf(w, sizeof w, "cosine_min_lr_ratio 0.1 W=2 T=12 s=%ld", tm[i].s);
		near(w, sched_factor(&mn, tm[i].s), tm[i].f, 1e-15);
	}
	sched_t cw = {SCHED_CONSTANT_WARMUP, 4, 100, -1}, k = {SCHED_CONSTANT, 4, 100, -1};
	near("constant_with_warmup W=4 s=2", sched_factor(&cw, 2), 0.5, 0);
	near("constant_with_warmup W=4 s=4", sched_factor(&cw, 4), 1.0, 0);
	near("constant_with_warmup W=4 s=99", sched_factor(&cw, 99), 1.0, 0);
	near("constant s=0", sched_factor(&k, 0), 1.0, 0);
	/* the ten-step fixture's cosine: warm-up 2 over 10, lr 1e-3 (history.json) */
	sched_t f = {SCHED_COSINE, 2, 10, -1};
	near("fixture step 4 lr", 1e-3 * sched_factor(&f, 3), 0.0009619397662556434, 1e-15);
	near("fixture step 10 lr", 1e-3 * sched_factor(&f, 9), 3.806023374435663e-05, 1e-15);

	/* AdamW: betas (0.9, 0.999), eps 1e-8, weight decay 0.01; step 1 at lr 1e-3 with g1, step 2
	 * at lr 5e-4 with g2. Expected: torch's rule in double; float32 here, so rtol 1e-6. */
	float data[4] = {1.0f, -0.5f, 0.25f, 2.0f}, grad[4];
	param_t p = {.name = "model.layers.0.self_attn.q_proj.lora_A.weight", .ndim = 1, .shape = {4, 0}, .numel = 4,
		     .data = data, .grad = grad};
	param_t *pp = &p;
	adamw_t o;
	adamw_init(&o, &ops_cpu, &pp, 1, 0.9, 0.999, 1e-8, 0.01);
	const float g1[4] = {0.1f, -0.2f, 0.3f, 0.0f}, g2[4] = {-0.05f, 0.4f, 0.3f, 1e-3f};
	const double want1[4] = {0.9989900001, -0.49899500005, 0.24899750003333335, 1.99998};
	const double want2[4] = {0.9988518366470165, -0.49917555683272996, 0.24849625506249984, 1.9995979369486685};
	memcpy(grad, g1, sizeof grad);
	adamw_step(&o, 1e-3);
	for (int i = 0; i < 4; i++) {
		snprintf(w, sizeof w, "adamw step 1 p[%d]", i);
		near(w, data[i], want1[i], 1e-6);
	}
	memcpy(grad, g2, sizeof grad);
	adamw_step(&o, 5e-4);
	for (int i = 0; i < 4; i++) {
		snprintf(w, sizeof w, "adamw step 2 p[%d]", i);
		near(w, data[i], want2[i], 1e-6);
	}
	adamw_free(&o);
	/* no weight decay on norms and biases (transformers' get_decay_parameter_names) */
	int d = adamw_decays("model.layers.0.input_layernorm.weight") || adamw_decays("model.norm.weight") ||
		adamw_decays("model.layers.0.self_attn.q_norm.weight") || adamw_decays("model.layers.0.self_attn.q_proj.bias");
	int e = adamw_decays("model.embed_tokens.weight") && adamw_decays("lm_head.weight") &&
		adamw_decays("model.layers.0.mlp.down_proj.weight");
	printf("%s weight decay skips norms and biases only\n", !d && e ? "ok  " : "FAIL");
	ok &= !d && e;
	return ok ? 0 : 1;
}
