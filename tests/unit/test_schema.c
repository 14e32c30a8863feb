/* test_schema: the field table is data that everything derives from, so check it is
 * consistent: every default is valid for its own field, enum values and supported values
 * agree, no name appears twice in a model, and every field of Axolotl's schema is there. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "schema.h"

static int fails;

static void bad(const char *model, const char *field, const char *why)
{
	printf("%s.%s: %s\n", model, field, why);
	fails++;
}

static int default_ok(const schema_field_t *f, const cJSON *d)
{
	switch (f->type) {
	case ST_BOOL:
		return cJSON_IsBool(d) || ((f->flags & SF_AUTO) && cJSON_IsString(d) &&
					   !strcmp(d->valuestring, "auto"));
	case ST_INT:
		return cJSON_IsNumber(d) && d->valuedouble == (double)(long long)d->valuedouble;
	case ST_FLOAT:
	case ST_NUMBER:
		return cJSON_IsNumber(d);
	case ST_STR:
		return cJSON_IsString(d);
	case ST_ENUM:
		return (cJSON_IsString(d) && schema_list_has(f->values, d->valuestring)) ||
		       ((f->flags & SF_OR_BOOL) && cJSON_IsBool(d));
	case ST_STRLIST:
	case ST_INTLIST:
	case ST_FLOATLIST:
	case ST_LIST:
	case ST_DATASETS:
		return cJSON_IsArray(d);
	case ST_MAP:
	case ST_MODEL:
		return cJSON_IsObject(d);
	default:
		return 1;
	}
}

static size_t check_model(const schema_model_t *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const schema_field_t *f = &m->fields[i];
		if (!f->name || !*f->name || !f->doc || !*f->doc)
			bad(m->name, f->name ? f->name : "?", "needs a name and a doc line");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(m->fields[j].name, f->name))
				bad(m->name, f->name, "appears twice");
		if (f->type == ST_ENUM && (!f->values || !*f->values))
			bad(m->name, f->name, "an enum without values");
		if ((f->type == ST_MODEL || f->type == ST_DATASETS) && !f->model)
			bad(m->name, f->name, "a nested field without its model");
		if (f->dflt) {
			cJSON *d = cJSON_Parse(f->dflt);
			if (!d || !default_ok(f, d))
				bad(m->name, f->name, "default does not fit the field's type");
			cJSON_Delete(d);
		}
		if (f->sup_values && f->type == ST_ENUM && !(f->flags & SF_OR_BOOL)) {
			char w[64];
			for (const char *p = f->sup_values; *p;) {
				const char *e = strchr(p, ',');
				size_t len = e ? (size_t)(e - p) : strlen(p);
				snprintf(w, sizeof w, "%.*s", (int)len, p);
				if (!schema_list_has(f->values, w))
					bad(m->name, f->name, "a supported value that is not a valid value");
				p = e ? e + 1 : p + len;
			}
		}
		if (f->sup_values && f->support != SUP_YES)
			bad(m->name, f->name, "supported values on a field that is not supported");
	}
	return m->n;
}

int main(void)
{
	const schema_model_t *top = schema_top();
	size_t n = check_model(top);
	/* axolotl.md §1: 390 top-level fields (388 + the two capability blocks), plus plugins' */
	if (n < 390) {
		printf("only %zu top-level fields; Axolotl has 390\n", n);
		fails++;
	}
	for (size_t i = 0; i < top->n; i++)
		if (top->fields[i].model)
			check_model(top->fields[i].model);
	for (const schema_model_t *const *m = schema_dataset_models(); *m; m++)
		check_model(*m);
	const char *must[] = { "base_model", "datasets", "learning_rate", "micro_batch_size",
		"gradient_accumulation_steps", "adapter", "lora_r", "sample_packing", "sequence_len",
		"chat_template", "bf16", "optimizer", "lr_scheduler", "special_tokens", "wandb_project",
		"deepspeed", "fsdp_config", "rl", "model_type", "liger_rope", NULL };
	for (int i = 0; must[i]; i++)
		if (!schema_find(top, must[i]))
			bad("top", must[i], "missing");
	const schema_field_t *lr = schema_find(top, "learning_rate");
	if (!lr || !(lr->flags & SF_REQUIRED))
		bad("top", "learning_rate", "must be required");
	const schema_field_t *ad = schema_find(top, "adapter");
	if (!ad || !schema_list_has(ad->sup_values, "lora") || schema_list_has(ad->sup_values, "qlora"))
		bad("top", "adapter", "lora supported, qlora not yet");
	return fails ? 1 : 0;
}
