// SPDX-License-Identifier: GPL-2.0-or-later
/* addshare_main.c - ksmbd.addshare: add, update or delete ksmbd.conf shares. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "platform.h"
#include "config.h"
#include "confedit.h"
#include "fileutil.h"

#define MAX_OPTIONS 128

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ksmbd.addshare [-v] [-C CONF] [-a | -u | -d] [-o OPT]... SHARE\n"
		"Configure shares of ksmbd.conf, keeping its comments and layout.\n\n"
		"  -a, --add            add SHARE (error if it exists)\n"
		"  -u, --update         update SHARE (error if missing)\n"
		"  -d, --delete         delete SHARE\n"
		"  -o, --option=OPT     share parameter 'key = value'; repeatable\n"
		"  -C, -c, --config=CONF  configuration file (default %s)\n"
		"  -v, --verbose        be verbose\n"
		"  -V, --version        print the version and exit\n"
		"  -h, --help           print this help and exit\n"
		"With none of -a, -u, -d: add SHARE, or update it if it exists.\n"
		"The older form '-a SHARE' is accepted too.  The result is\n"
		"checked by parsing it before the file is replaced.\n",
		SMBD_DEFAULT_CONFIG);
}

static int set_op(int *op, int want)
{
	if (*op >= 0 && *op != want) {
		fprintf(stderr,
			"ksmbd.addshare: -a, -u and -d are exclusive\n");
		return -1;
	}
	*op = want;
	return 0;
}

/* Edit, re-parse and replace; returns 0 or -1 after printing why. */
static int run(const char *conf, int op, const char *share,
	       const char *const *opts, size_t nopts, bool verbose)
{
	char *text = NULL, *edited = NULL, err[1024];
	size_t len = 0, edited_len;
	struct smbd_config cfg;
	mode_t mode = 0644;
	struct stat st;
	int ret = -1;

	if (smbd_read_file(conf, SMBD_CONFIG_MAX_SIZE, &text, &len, err,
			   sizeof(err))) {
		/* Adding to a file that does not exist yet creates it. */
		if (errno != ENOENT || op == SMBD_SHARE_UPDATE ||
		    op == SMBD_SHARE_DELETE) {
			fprintf(stderr, "ksmbd.addshare: %s\n", err);
			return -1;
		}
	} else if (stat(conf, &st) == 0) {
		mode = st.st_mode & 07777;
	}
	/* Neither -a, -u nor -d: add, or update if it exists. */
	if (op < 0)
		op = text && smbd_conf_has_share(text, len, share) > 0 ?
			     SMBD_SHARE_UPDATE :
			     SMBD_SHARE_ADD;
	if (smbd_conf_edit_share(text ? text : "", len, op, share, opts, nopts,
				 &edited, &edited_len, err, sizeof(err))) {
		fprintf(stderr, "ksmbd.addshare: %s\n", err);
		goto out;
	}
	if (smbd_config_parse(conf, edited, edited_len, &cfg, err,
			      sizeof(err))) {
		fprintf(stderr,
			"ksmbd.addshare: the result would be invalid, "
			"%s not changed:\n%s\n",
			conf, err);
		goto out;
	}
	smbd_config_free(&cfg);
	if (smbd_write_file_atomic(conf, edited, edited_len, mode, err,
				   sizeof(err))) {
		fprintf(stderr, "ksmbd.addshare: %s\n", err);
		goto out;
	}
	if (verbose)
		printf("%s share '%s' in %s\n",
		       op == SMBD_SHARE_ADD    ? "added" :
		       op == SMBD_SHARE_UPDATE ? "updated" :
						 "deleted",
		       share, conf);
	ret = 0;
out:
	free(text);
	free(edited);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "add", no_argument, NULL, 'a' },
		{ "update", no_argument, NULL, 'u' },
		{ "delete", no_argument, NULL, 'd' },
		{ "option", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = SMBD_DEFAULT_CONFIG, *opts[MAX_OPTIONS];
	size_t nopts = 0;
	bool verbose = false;
	int c, op = -1;

	while ((c = getopt_long(argc, argv, "audo:C:c:vVh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'a':
			if (set_op(&op, SMBD_SHARE_ADD))
				return 1;
			break;
		case 'u':
			if (set_op(&op, SMBD_SHARE_UPDATE))
				return 1;
			break;
		case 'd':
			if (set_op(&op, SMBD_SHARE_DELETE))
				return 1;
			break;
		case 'o':
			if (nopts == MAX_OPTIONS) {
				fprintf(stderr,
					"ksmbd.addshare: too many -o\n");
				return 1;
			}
			opts[nopts++] = optarg;
			break;
		case 'C':
		case 'c':
			conf = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'V':
			printf("ksmbd.addshare (ksmbd-direct) %s\n",
			       SMBD_TOOLS_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 1;
	}
	if (op == SMBD_SHARE_DELETE && nopts) {
		fprintf(stderr, "ksmbd.addshare: -o makes no sense with -d\n");
		return 1;
	}
	return run(conf, op, argv[optind], opts, nopts, verbose) ? 1 : 0;
}
