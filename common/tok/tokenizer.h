/* tokenizer: Hugging Face `tokenizers` re-implemented in C, bit-exact on the token ids.
 *
 * Loads a model folder's tokenizer.json (or tokenizer.json.zst) and tokenizer_config.json and
 * runs the same pipeline HF runs (reference/tokenizer.md 1.2): added tokens split out of the
 * raw text, normalizer per piece, pre-tokenizer per piece, BPE per word, post-processor when
 * special tokens are asked for. A tokenizer.json that uses a component not implemented here is
 * refused with the component named; nothing is approximated.
 *
 * A loaded tok_t is read-only: encode and decode may run on many threads at once. Each thread
 * keeps its own scratch space and word cache (owned by the tok_t, freed by tok_free). */
#ifndef FT_TOKENIZER_H
#define FT_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

typedef struct tok tok_t;

/* A caller-owned growable id buffer; start it zeroed, free(ids) and free(offs) when done. */
typedef struct {
	int32_t *ids;
	size_t n, cap;
	uint32_t *offs;     /* tok_encode_offsets only: offs[2i], offs[2i+1] = byte span of id i */
	size_t offs_cap;
} tok_ids_t;

/* Loads DIR/tokenizer.json (or .json.zst) and DIR/tokenizer_config.json (optional). Fatal
 * (FT_EXIT_DATA / FT_EXIT_IO, message naming the file) on anything malformed or unsupported. */
tok_t *tok_load(const char *dir);
/* Same, from explicit paths; config_path may be NULL. */
tok_t *tok_load_files(const char *json_path, const char *config_path);
void tok_free(tok_t *t);

/* Encodes text[0..len) into out (out->n is reset first). add_special: run the post-processor
 * (BOS/EOS etc.), as HF's add_special_tokens=True; for configs whose tokenizer_class is
 * Llama/Gemma/CodeLlama/Cohere that is transformers 4.x's "[bos] $A [eos]" from add_bos_token /
 * add_eos_token, as those classes replace tokenizer.json's. A chat-template render is encoded
 * with add_special 0 (its template prints BOS itself). Returns 0, or -1 when the text is not
 * valid UTF-8 (out is then empty); tok_bad_utf8_offset() says where. Thread-safe. */
int tok_encode(const tok_t *t, const char *text, size_t len, int add_special, tok_ids_t *out);
/* tok_encode that also fills out->offs: for each id the [start, end) byte span of the input
 * it came from, as HF's offsets (which are in chars) but in bytes: whole chars (a byte-level
 * token holding part of a char spans the char), inserted text (Prepend, Metaspace's ▁) goes
 * with the char it was attached to, post-processor tokens get (0, 0), and a ByteLevel/Roberta
 * post-processor's trim_offsets is applied. Matches HF on every hf-oracle record and the
 * difftest variants. Skips the word cache, so it is slower; use it where spans are needed
 * (assistant masks, Axolotl's training_detail). */
int tok_encode_offsets(const tok_t *t, const char *text, size_t len, int add_special, tok_ids_t *out);

/* Debug view of an encode (what `ft-tokenize --explain` style tools print): fn is called once
 * per piece, in order, with the piece's text as the model sees it (after normalization and
 * pre-tokenization; raw bytes for byte-level models, not the GPT-2 chars), kind 0 for a word
 * the model encoded, 1 for an added token, 2 for ids the post-processor added (piece empty),
 * and the ids it became. Otherwise the same as tok_encode. */
typedef void (*tok_trace_fn)(void *ctx, const char *piece, size_t len, int kind, const int32_t *ids, size_t n);
int tok_encode_trace(const tok_t *t, const char *text, size_t len, int add_special, tok_ids_t *out,
                     tok_trace_fn fn, void *ctx);
/* Byte offset of the first invalid UTF-8 byte found by the last failing tok_encode on this thread. */
size_t tok_bad_utf8_offset(void);
/* Encodes n texts on all cores (OpenMP); outs[i] gets text i, exactly as tok_encode would.
 * Returns the index of the first text that is not valid UTF-8, or -1 when all were fine. */
long tok_encode_batch(const tok_t *t, const char *const *texts, const size_t *lens, size_t n,
                      int add_special, tok_ids_t *outs);

/* split_special on: special added tokens in the text are tokenized as plain text
 * (transformers' split_special_tokens, HF's encode_special_tokens; tokenizer_config.json's
 * split_special_tokens sets it at load). Call before encoding starts, not concurrently. */
void tok_set_split_special(tok_t *t, int on);

/* Decodes ids to a fresh NUL-terminated string (free it); *len gets its length when not NULL.
 * Unknown ids are dropped, as HF does. skip_special drops special added tokens. This is the
 * raw `tokenizers` decode: transformers' clean_up_tokenization_spaces is not applied. */
char *tok_decode(const tok_t *t, const int32_t *ids, size_t n, int skip_special, size_t *len);
/* transformers' clean_up_tokenization (" ." -> "." ...) on a malloc'd string of length *n;
 * returns the (possibly reallocated) string. For callers that want transformers' decode where
 * tok_cleanup_wanted() says the config asks for it. */
char *tok_cleanup_spaces(char *s, size_t *n);
int tok_cleanup_wanted(const tok_t *t);

/* Token text <-> id (added tokens first, then the model vocabulary); -1 / NULL when absent. */
int32_t tok_token_to_id(const tok_t *t, const char *token);
const char *tok_id_to_token(const tok_t *t, int32_t id);
/* Number of ids: the largest id + 1 (what an embedding table needs). */
size_t tok_vocab_size(const tok_t *t);
int tok_is_special(const tok_t *t, int32_t id);
/* From tokenizer_config.json (string or AddedToken dict; when absent, the Llama/Gemma class
 * defaults "<s>"/"</s>", "<bos>"/"<eos>"/"<pad>"); -1 when none or not in the vocabulary. */
int32_t tok_bos_id(const tok_t *t);
int32_t tok_eos_id(const tok_t *t);
int32_t tok_pad_id(const tok_t *t);
int32_t tok_unk_id(const tok_t *t);
/* SHA-256 of the tokenizer.json bytes (decompressed), 64 lowercase hex digits. */
const char *tok_fingerprint(const tok_t *t);
/* The same for model folder DIR, without loading the tokenizer; -1 when DIR has none. */
int tok_dir_fingerprint(const char *dir, char out[65]);

#endif
