/* rowset: training rows from .ftp/.ftt files and micro batches from rows. See rowset.h. */
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "diag.h"
#include "pack.h"
#include "rng.h"
#include "rowset.h"
#include "tokfile.h"

void rowset_init(rowset_t *rs)
{
	memset(rs, 0, sizeof *rs);
	recset_init(&rs->tok);
	recset_init(&rs->seq);
}

void rowset_free(rowset_t *rs)
{
	recset_free(&rs->tok);
	recset_free(&rs->seq);
	memset(rs, 0, sizeof *rs);
}

static void rowset_add(rowset_t *rs, const uint32_t *tok, uint32_t n, const uint32_t *seq, uint32_t nseq)
{
	recset_add(&rs->tok, tok, n);
	recset_add(&rs->seq, seq, nseq);
	for (uint32_t i = 0; i < n; i++)
		rs->trained += tok[i] >> 31;
	rs->n++;
}

void rowset_from_records(rowset_t *rs, recset_t *all, const ft_config_t *cfg, int packing, int algo,
			 const char *what, rowset_made_t *made)
{
	rowset_made_t m = {.st = {.read = all->n}};
	lenpolicy_t lp = {.seq_len = TOKFILE_MAX_TOKENS, .min_len = 1, .excess = EXCESS_DROP};
	pack_opts_t po = {.algo = PACK_AUTO, .max_per_bin = 200, .group_size = 100000, .seed = FT_DEFAULT_SEED};
	int curriculum = 0;
	if (cfg) {
		lenpolicy_from_config(cfg, &lp);
		if (packing < 0)
			packing = config_bool(cfg, "sample_packing", 0);
		po.algo = config_bool(cfg, "sample_packing_sequentially", 0) ? PACK_SEQUENTIAL : PACK_AUTO;
		po.max_per_bin = (uint32_t)config_int(cfg, "sample_packing_bin_size", 200);
		po.group_size = (size_t)config_int(cfg, "sample_packing_group_size", 100000);
		po.seed = config_seed(cfg);
		curriculum = config_bool(cfg, "curriculum_sampling", 0);
	} else {
		packing = 0;   /* no config: each record a row of its own, as it is */
	}
	if (algo >= 0)
		po.algo = (pack_algo_t)algo;
	/* Under curriculum_sampling Axolotl packs first-fit in the records' order and trains on
	 * the bins as they open; FFD would sort by length and deal its rows at random. */
	if (curriculum && po.algo == PACK_AUTO)
		po.algo = PACK_FIRST_FIT;
	po.capacity = lp.seq_len;

	recset_t kept;
	recset_init(&kept);
	char w[300];
	for (size_t i = 0; i < all->n; i++) {
		uint32_t n = recset_len(all, i);
		snprintf(w, sizeof w, "%s: record %zu", what, i + 1);
		if (!lenpolicy_apply(&lp, &n, &m.st, w))
			continue;
		const uint32_t *t = recset_get(all, i);
		uint32_t trained = 0;
		for (uint32_t j = 0; j < n; j++)
			trained += t[j] >> 31;
		if (!trained) {
			m.st.no_trained++;
			continue;
		}
		recset_add(&kept, t, n);
	}
	recset_free(all);
	if (m.st.no_trained || m.st.too_long || m.st.too_short || m.st.truncated)
		ft_info("%s: dropped %zu with no trained token, %zu longer than sequence_len, %zu shorter than "
			"min_sample_len; truncated %zu", what, m.st.no_trained, m.st.too_long, m.st.too_short,
			m.st.truncated);

	/* The order rows are made in. Without packing it stays the records' own: the Trainer
	 * shuffles rows every epoch (ft-train's epoch order), so a shuffle here would only make
	 * a .ftp train on other rows than the .ftt it came from. With packing, Axolotl's
	 * multipack sampler packs the indices its base sampler draws, a RandomSampler unless
	 * curriculum_sampling (core/trainers/base.py _get_train_sampler), for first-fit and for
	 * sample_packing_sequentially alike; FFD sorts by length, so its order only breaks ties. */
	size_t n = kept.n;
	uint32_t *order = xmalloc((n ? n : 1) * sizeof *order), *len = xmalloc((n ? n : 1) * sizeof *len);
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	if (packing && !curriculum) {
		rng_t rng = rng_seed(po.seed, 3);
		rng_shuffle_u32(&rng, order, n);
	}
	for (size_t i = 0; i < n; i++)
		len[i] = recset_len(&kept, order[i]);

	pack_result_t pr;
	if (packing) {
		pack_bins(len, n, &po, &pr);
		po.algo = pr.algo;
	} else {
		memset(&pr, 0, sizeof pr);
		pr.items = xmalloc((n ? n : 1) * sizeof *pr.items);
		pr.row_off = xmalloc((n + 1) * sizeof *pr.row_off);
		for (size_t i = 0; i <= n; i++)
			pr.row_off[i] = i;
		for (size_t i = 0; i < n; i++) {
			pr.items[i] = (uint32_t)i;
			pr.used += len[i];
		}
		pr.nrows = n;
	}
	/* the arenas sized once: rows hold exactly the kept records' tokens and lengths */
	xgrow((void **)&rs->tok.tok, &rs->tok.ctok, rs->tok.ntok + kept.ntok, sizeof *rs->tok.tok);
	xgrow((void **)&rs->tok.off, &rs->tok.coff, rs->tok.n + pr.nrows + 1, sizeof *rs->tok.off);
	xgrow((void **)&rs->seq.tok, &rs->seq.ctok, rs->seq.ntok + n, sizeof *rs->seq.tok);
	xgrow((void **)&rs->seq.off, &rs->seq.coff, rs->seq.n + pr.nrows + 1, sizeof *rs->seq.off);
	/* a row of several samples is copied together; a row of one is the record itself */
	uint32_t *buf = packing ? xmalloc(((size_t)lp.seq_len + 1) * sizeof *buf) : NULL, *seqs = NULL;
	size_t cseqs = 0;
	for (size_t b = 0; b < pr.nrows; b++) {
		size_t ns = pr.row_off[b + 1] - pr.row_off[b];
		if (ns == 1) {
			uint32_t s = pr.items[pr.row_off[b]];
			rowset_add(rs, recset_get(&kept, order[s]), len[s], &len[s], 1);
			continue;
		}
		xgrow((void **)&seqs, &cseqs, ns, sizeof *seqs);
		uint32_t tn = 0;
		for (size_t k = 0; k < ns; k++) {
			uint32_t s = pr.items[pr.row_off[b] + k];
			memcpy(buf + tn, recset_get(&kept, order[s]), (size_t)len[s] * 4);
			seqs[k] = len[s];
			tn += len[s];
		}
		rowset_add(rs, buf, tn, seqs, (uint32_t)ns);
	}
	m.kept = n;
	m.packing = packing;
	m.po = po;
	m.used = pr.used;
	if (made)
		*made = m;
	free(buf);
	free(seqs);
	free(order);
	free(len);
	pack_result_free(&pr);
	recset_free(&kept);
}

void rowset_load(rowset_t *rs, const char *path, const ft_config_t *cfg, int packing)
{
	tokfile_reader_t *r = tokfile_open(path, 0);
	if (tokfile_kind(r) == TOKFILE_FTP) {
		tokrec_t rec;
		while (tokfile_next(r, &rec)) {
			uint32_t one = rec.n;
			rowset_add(rs, rec.tok, rec.n, rec.nseq ? rec.seq_lens : &one, rec.nseq ? rec.nseq : 1);
		}
		tokfile_close(r);
		return;
	}
	recset_t all;
	recset_init(&all);
	recset_read(&all, r);
	char what[300];
	snprintf(what, sizeof what, "%s", q(tokfile_name(r)));
	tokfile_close(r);
	rowset_from_records(rs, &all, cfg, packing, -1, what, NULL);
}

void rowset_check_vocab(const rowset_t *rs, int V, const char *what)
{
	for (size_t r = 0; r < rs->n; r++) {
		const uint32_t *t = recset_get(&rs->tok, r);
		uint32_t n = recset_len(&rs->tok, r);
		for (uint32_t i = 0; i < n; i++)
			if (TOK_ID(t[i]) >= (uint32_t)V)
				ft_die(FT_EXIT_DATA, "%s: row %zu: token id %u is outside the model's vocabulary (vocab_size "
				       "%d); was the data tokenized for another model?", what, r + 1, TOK_ID(t[i]), V);
	}
}

void mbatch_free(mbatch_t *mb)
{
	free(mb->ids);
	free(mb->targets);
	free(mb->labels);
	free(mb->cu);
	memset(mb, 0, sizeof *mb);
}

int rowset_ntargets(const rowset_t *rs, const uint32_t *idx, int nrows)
{
	/* shifted labels: every labelled token except the first of each sample */
	int n = 0;
	for (int k = 0; k < nrows; k++) {
		const uint32_t *t = recset_get(&rs->tok, idx[k]);
		const uint32_t *s = recset_get(&rs->seq, idx[k]);
		uint32_t ns = recset_len(&rs->seq, idx[k]), at = 0;
		for (uint32_t j = 0; j < ns; j++) {
			for (uint32_t i = 1; i < s[j]; i++)
				n += t[at + i] >> 31;
			at += s[j];
		}
	}
	return n;
}

void mbatch_build(mbatch_t *mb, const rowset_t *rs, const uint32_t *idx, int nrows)
{
	size_t N = 0, ns = 0;
	for (int k = 0; k < nrows; k++) {
		N += recset_len(&rs->tok, idx[k]);
		ns += recset_len(&rs->seq, idx[k]);
	}
	if (N > mb->cap) {
		mb->cap = N;
		mb->ids = xrealloc(mb->ids, N * sizeof(int));
		mb->targets = xrealloc(mb->targets, N * sizeof(int));
		mb->labels = xrealloc(mb->labels, N * sizeof(int));
	}
	if (ns + 1 > mb->ccu) {
		mb->ccu = ns + 1;
		mb->cu = xrealloc(mb->cu, (ns + 1) * sizeof(int));
	}
	size_t at = 0, si = 0;
	uint32_t longest = 0;
	mb->cu[0] = 0;
	for (int k = 0; k < nrows; k++) {
		const uint32_t *t = recset_get(&rs->tok, idx[k]);
		uint32_t n = recset_len(&rs->tok, idx[k]);
		for (uint32_t i = 0; i < n; i++) {
			mb->ids[at + i] = (int)TOK_ID(t[i]);
			mb->labels[at + i] = (t[i] & TOK_TRAINS) ? (int)TOK_ID(t[i]) : -100;
		}
		const uint32_t *s = recset_get(&rs->seq, idx[k]);
		uint32_t nsk = recset_len(&rs->seq, idx[k]);
		size_t a = at;
		for (uint32_t j = 0; j < nsk; j++) {
			a += s[j];
			mb->cu[++si] = (int)a;
		}
		if (a != at + n)
			ft_die(FT_EXIT_DATA, "row %u: sample lengths do not add up to its %u tokens", idx[k] + 1, n);
		at += n;
		longest = n > longest ? n : longest;
	}
	model_shift_labels(mb->targets, mb->labels, (int)N, mb->cu, (int)ns);
	int nt = 0;
	for (size_t i = 0; i < N; i++)
		nt += mb->targets[i] >= 0;
	mb->ntargets = nt;
	mb->b = (batch_t){.N = (int)N, .ids = mb->ids, .pos = NULL, .cu_seqlens = mb->cu, .nseq = (int)ns,
			  .targets = mb->targets, .row_len = (int)longest};
}
