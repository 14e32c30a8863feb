/* fileio: reading whole files. See fileio.h. */
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

#define CONFIG_MAX ((size_t)64 << 20)

char *file_read(const char *path, size_t *len, int flags)
{
	int std = !strcmp(path, "-");
	FILE *f = std ? stdin : fopen(path, "rb");
	if (!f) {
		if ((flags & FILE_OPTIONAL) && errno == ENOENT)
			return NULL;
		ft_die(FT_EXIT_IO, "%s: cannot open: %s", q(path), strerror(errno));
	}
	size_t n = 0, cap = 0;
	char *s = NULL;
	for (;;) {
		xgrow((void **)&s, &cap, n + 65536 + 1, 1);
		size_t r = fread(s + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
		if ((flags & FILE_CONFIG) && n > CONFIG_MAX)
			ft_die(FT_EXIT_USAGE, "%s: larger than 64 MiB; not a config file", q(path));
	}
	if (ferror(f))
		ft_die(FT_EXIT_IO, "%s: cannot read: %s", q(path), strerror(errno));
	if (!std)
		fclose(f);
	s[n] = '\0';
	if (len)
		*len = n;
	return s;
}
