/* tok_internal: the loaded tokenizer's data structures, shared by tok_load.c (builds them from
 * tokenizer.json), tok_encode.c, tok_decode.c and tok_regex.c. Not part of the public API. */
#ifndef FT_TOK_INTERNAL_H
#define FT_TOK_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "tokenizer.h"

/* ---- string -> id hash (open addressing over a byte pool) ---- */
typedef struct {
	uint64_t *slot;     /* high 32 bits: hash, low: entry index + 1; 0 = empty. The hash
	                     * bits spare a visit to the pool for most non-matching probes. */
	size_t mask;
	uint32_t *off, *len; /* per entry: key in pool */
	int32_t *val;
	size_t n, cap;
	char *pool;
	size_t pool_n, pool_cap;
} strmap_t;

void strmap_init(strmap_t *m, size_t expect);
void strmap_free(strmap_t *m);
/* Inserts or overwrites. */
void strmap_put(strmap_t *m, const char *k, size_t kn, int32_t v);
int32_t strmap_get(const strmap_t *m, const char *k, size_t kn);   /* -1 when absent */
uint64_t tok_hash(const void *p, size_t n);

/* ---- regexes: HF (Oniguruma) syntax rewritten for PCRE2, see tok_regex.c ---- */
typedef struct {
	pcre2_code *code;
	int jit;            /* JIT-compiled: matched through pcre2_jit_match, the fast path */
	int fast;           /* a TOK_FAST_* kind: tok_re_next uses the hand-written matcher */
	char *src;          /* the HF pattern, for messages */
} tok_re_t;

/* Hand-written matchers for the common byte-level regexes (tok_fastsplit.c). */
enum { TOK_FAST_NONE, TOK_FAST_GPT2, TOK_FAST_LLAMA3, TOK_FAST_QWEN2, TOK_FAST_N };
int tok_fast_kind(const char *pattern);
const char *tok_fast_pattern(int kind);
void tok_fast_init(void);
/* The next match at or after *pos in s[0..n) (same contract as tok_re_next). */
int tok_fast_next(int kind, const char *s, size_t n, size_t *pos, size_t *ms, size_t *me);

/* Compiles an HF regex; on failure returns NULL and writes the reason into err. */
tok_re_t *tok_re_compile(const char *pattern, char *err, size_t errn);
void tok_re_free(tok_re_t *re);
/* The PCRE2 pattern text tok_re_compile would compile (fresh string); for tests and messages. */
char *tok_re_rewrite(const char *pattern, char *err, size_t errn);

/* ---- components ---- */
typedef enum {
	NORM_SEQ, NORM_NFC, NORM_NFD, NORM_NFKC, NORM_NFKD, NORM_LOWER, NORM_STRIP,
	NORM_REPLACE, NORM_PREPEND,
} norm_kind_t;

typedef struct norm {
	norm_kind_t kind;
	struct norm *sub;   /* NORM_SEQ */
	size_t nsub;
	int strip_left, strip_right;
	char *pat;          /* NORM_REPLACE literal pattern (when re == NULL) */
	size_t patn;
	tok_re_t *re;       /* NORM_REPLACE regex */
	char *content;      /* NORM_REPLACE content, NORM_PREPEND text */
	size_t contentn;
} norm_t;

typedef enum { BEH_REMOVED, BEH_ISOLATED, BEH_MERGED_PREV, BEH_MERGED_NEXT, BEH_CONTIGUOUS } behavior_t;
typedef enum { PRE_SEQ, PRE_SPLIT, PRE_BYTELEVEL, PRE_METASPACE } pre_kind_t;
typedef enum { SCHEME_ALWAYS, SCHEME_FIRST, SCHEME_NEVER } scheme_t;

typedef struct pre {
	pre_kind_t kind;
	struct pre *sub;    /* PRE_SEQ */
	size_t nsub;
	/* PRE_SPLIT: a literal (re == NULL) or a regex; PRE_BYTELEVEL: re = GPT-2 regex or NULL */
	tok_re_t *re;
	char *lit;
	size_t litn;
	behavior_t behavior;
	int invert;
	int add_prefix_space;   /* PRE_BYTELEVEL */
	char repl[8];           /* PRE_METASPACE replacement char, UTF-8 */
	int repln;
	scheme_t scheme;
	int split;
} pre_t;

typedef enum { DEC_BYTELEVEL, DEC_METASPACE, DEC_BYTEFALLBACK, DEC_FUSE, DEC_STRIP, DEC_REPLACE, DEC_BPE } dec_kind_t;

typedef struct {
	dec_kind_t kind;
	char *pat, *content;      /* DEC_REPLACE (literal), DEC_STRIP content char, DEC_BPE suffix */
	size_t patn, contentn;
	tok_re_t *re;             /* DEC_REPLACE regex */
	int start, stop;          /* DEC_STRIP */
	char repl[8];             /* DEC_METASPACE */
	int repln;
	scheme_t scheme;
} dec_t;

typedef struct {
	char *content;
	size_t len;
	int32_t id;
	int special, normalized, lstrip, rstrip, single_word;
} added_t;

/* A byte trie over added-token contents, edges in one hash keyed by (node, byte). */
typedef struct {
	int32_t *term;          /* per node: index into tok->added, or -1 */
	size_t nnodes, cap;
	uint64_t *ekey;         /* (node << 8 | byte) + 1, 0 = empty */
	int32_t *eval;
	size_t emask, en;
	uint8_t first[256];     /* bytes that start some token */
} trie_t;

/* One (rank, new id) per merge pair, keyed by (left id, right id); one 16-byte slot per
 * entry so a probe touches one cache line (the table is megabytes and probed per pair). */
typedef struct {
	uint64_t key;           /* ((uint64_t)a << 32 | b) + 1, 0 = empty */
	int32_t rank, newid;
} mergeent_t;

typedef struct {
	mergeent_t *e;
	size_t mask, n;
} mergemap_t;

struct tok_state;

struct tok {
	char *path;
	char fingerprint[65];
	uint64_t serial;        /* unique per load, keys the thread-local state */

	/* id -> token text (model vocab and added tokens) */
	char **id_str;
	uint32_t *id_len;
	uint8_t *id_special;
	size_t nids;
	strmap_t tok2id;        /* token text -> id: added tokens override the model */

	/* BPE model */
	size_t model_vocab_n;   /* entries in the model vocab (HF's get_vocab_size) */
	strmap_t bpe;           /* key: token text, or its raw bytes when byte_level */
	mergemap_t merges;
	int byte_level;         /* words are raw bytes, vocab keys are the GPT-2 byte decoding */
	int32_t byte_id[256];   /* byte_level: id of each single byte, -1 if none */
	int32_t fallback_id[256];   /* byte_fallback: id of <0xNN>, -1 if none */
	int byte_fallback, fuse_unk, ignore_merges;
	int32_t unk_id;
	uint32_t unk_last;      /* last char of the unk token's text */
	char *prefix, *suffix;  /* continuing_subword_prefix, end_of_word_suffix (NULL if none) */
	size_t prefixn, suffixn;

	/* SentencePiece-style vocabularies: a word may be cut before a U+2581 that follows a char
	 * c when no merge joins a left part ending in c to a right part starting with U+2581; the
	 * pieces then BPE independently (and hit the word cache). ws_block lists the c that do
	 * have such a merge (Gemma 3: '>' for ">▁</"). */
	int ws_split;
	uint32_t *ws_block;
	size_t nws_block;

	added_t *added;
	size_t nadded;
	trie_t trie_raw, trie_norm;   /* normalized=false / normalized=true tokens */
	int has_raw, has_norm;

	norm_t *norm;           /* NULL = none */
	pre_t *pre;             /* NULL = none */
	int32_t *post_prefix, *post_suffix;   /* ids added around the sequence when add_special */
	size_t npost_prefix, npost_suffix;
	dec_t *dec;
	size_t ndec;
	int has_decoder;
	int cleanup_spaces;
	int trim_offsets, trim_prefix;   /* a post-processor trims spaces off offsets (add_prefix_space) */
	int split_special;      /* special added tokens are not matched (HF encode_special_tokens) */

	int32_t bos_id, eos_id, pad_id, unk_cfg_id;

	pthread_mutex_t lock;   /* guards states */
	struct tok_state **states;
	size_t nstates, capstates;
};

/* The GPT-2 byte <-> char tables (byte_level.rs bytes_char). */
extern uint32_t tok_byte2cp[256];
int tok_cp2byte(uint32_t cp);   /* -1 when cp is not one of the 256 */
void tok_bytelevel_init(void);

int32_t tok_trie_child(const trie_t *tr, int32_t node, unsigned char c);
void tok_state_free(struct tok_state *s);
void tok_norm_free(norm_t *n);
void tok_pre_free(pre_t *p);

/* Runs the normalizer on s[0..n); returns a fresh buffer (*outn) or NULL when unchanged.
 * md: match data for regex Replace (NULL: one is made for the call). */
char *tok_normalize(const norm_t *nm, const char *s, size_t n, size_t *outn);
char *tok_normalize_md(const norm_t *nm, const char *s, size_t n, size_t *outn, pcre2_match_data *md);
/* Onig-style find_iter: the next match at or after *pos, honouring HF's rule for empty
 * matches; returns 0 when there is none. *last_end starts at (size_t)-1. */
int tok_re_next(const tok_re_t *re, pcre2_match_data *md, const char *s, size_t n, size_t *pos,
                size_t *last_end, size_t *ms, size_t *me);

#endif
