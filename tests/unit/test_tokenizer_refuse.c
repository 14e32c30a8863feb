/* test_tokenizer_refuse: a tokenizer.json with a component we do not implement must be refused
 * with exit status 3 (FT_EXIT_DATA) and a message naming the component, never approximated.
 * Each hand-written file in tests/fixtures/tokenizers/refuse_*.json is loaded in a child
 * process (tok_load dies by design) and its status and stderr are checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "tok/tokenizer.h"

static int run(const char *file, const char *want)
{
	char path[256];
	snprintf(path, sizeof path, "tests/fixtures/tokenizers/%s", file);
	int fd[2];
	if (pipe(fd) != 0) return 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		tok_t *t = tok_load_files(path, NULL);
		tok_free(t);
		_exit(0);
	}
	close(fd[1]);
	char err[1024] = {0};
	size_t n = 0;
	ssize_t r;
	while (n + 1 < sizeof err && (r = read(fd[0], err + n, sizeof err - 1 - n)) > 0) n += (size_t)r;
	close(fd[0]);
	int st;
	waitpid(pid, &st, 0);
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	int ok = code == FT_EXIT_DATA && strstr(err, want) && strstr(err, path);
	printf("%s %s: exit %d, %s", ok ? "ok  " : "FAIL", file, code, err);
	if (!ok) printf("     wanted exit 3 and a message containing \"%s\" and the path\n", want);
	return ok;
}

int main(void)
{
	static const char *const cases[][2] = {
		{"refuse_normalizer.json", "normalizer 'Precompiled' is not supported"},
		{"refuse_pretokenizer.json", "pre-tokenizer 'UnicodeScripts' is not supported"},
		{"refuse_model.json", "model 'WordPiece' is not supported"},
		{"refuse_decoder.json", "decoder 'WordPiece' is not supported"},
		{"refuse_postprocessor.json", "post-processor 'Unknown' is not supported"},
		{"refuse_dropout.json", "dropout is not supported"},
	};
	int ok = 0, n = (int)(sizeof cases / sizeof cases[0]);
	for (int i = 0; i < n; i++) ok += run(cases[i][0], cases[i][1]);
	printf("%d/%d refused as expected\n", ok, n);
	return ok == n ? 0 : 1;
}
