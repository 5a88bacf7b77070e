// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ksmbd.control - talk to a running smbdirectd over its control socket:
 * print its counters, change its log level, stop it.  The options follow
 * ksmbd-tools' ksmbd.control where they overlap (-s, -d, -V, -h).
 */
#include "platform.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "config.h"
#include "control.h"

/* Exit codes (documented in ksmbd.control(8)). */
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_NO_SERVER = 3 };

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ksmbd.control [options]\n"
		"  -S, --stats          print the server's counters per "
		"transport\n"
		"  -j, --json           with --stats: one line of JSON\n"
		"  -d, --debug=LEVEL    set the log level: error, warn, info "
		"or debug\n"
		"  -s, --shutdown       stop the server\n"
		"  -C, --control=PATH   control socket (default %s)\n"
		"  -V, --version        print the version\n"
		"  -h, --help           this help\n",
		SMBD_CONTROL_DEFAULT_PATH);
}

/* Send one request; prints why on failure and returns the exit code. */
static int request(const char *path, const char *req, char **reply)
{
	int r = smbd_control_request(path, req, 2 * SMBD_CONTROL_TIMEOUT_MS,
				     reply);

	if (r == -ENOENT || r == -ECONNREFUSED || r == -ENOTDIR) {
		fprintf(stderr,
			"ksmbd.control: no server is running (nothing answers "
			"on %s)\n",
			path);
		return EXIT_NO_SERVER;
	}
	if (r == -EACCES || r == -EPERM) {
		fprintf(stderr,
			"ksmbd.control: %s: permission denied (only root "
			"and the server's user may use it)\n",
			path);
		return EXIT_FAILED;
	}
	if (r) {
		fprintf(stderr, "ksmbd.control: %s: %s\n", path, strerror(-r));
		return EXIT_FAILED;
	}
	if (!strncmp(*reply, "error ", 6)) {
		fprintf(stderr, "ksmbd.control: server: %s", *reply + 6);
		free(*reply);
		*reply = NULL;
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* A request whose only good answer is "ok". */
static int simple_request(const char *path, const char *req)
{
	char *reply;
	int rc = request(path, req, &reply);

	if (rc)
		return rc;
	if (strcmp(reply, "ok\n")) {
		fprintf(stderr, "ksmbd.control: unexpected reply to '%s'\n",
			req);
		rc = EXIT_FAILED;
	}
	free(reply);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "debug", required_argument, NULL, 'd' },
		{ "shutdown", no_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = SMBD_CONTROL_DEFAULT_PATH, *level = NULL;
	bool stats = false, json = false, stop = false;
	char req[SMBD_CONTROL_LINE_MAX + 1], *reply;
	int c, rc;

	while ((c = getopt_long(argc, argv, "Sjd:sC:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			stats = true;
			break;
		case 'j':
			json = true;
			break;
		case 'd':
			if (smbd_control_parse_level(optarg) < 0) {
				fprintf(stderr,
					"ksmbd.control: unknown level '%s' "
					"(error, warn, info or debug)\n",
					optarg);
				return EXIT_USAGE;
			}
			level = optarg;
			break;
		case 's':
			stop = true;
			break;
		case 'C':
			path = optarg;
			break;
		case 'V':
			printf("ksmbd.control (ksmbd-direct) %s\n",
			       SMBD_TOOLS_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc || (!stats && !level && !stop) || (json && !stats)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* In this order, so "-d debug -S -s" makes sense. */
	if (level) {
		snprintf(req, sizeof(req), "debug %s", level);
		rc = simple_request(path, req);
		if (rc)
			return rc;
	}
	if (stats) {
		rc = request(path, "stats", &reply);
		if (rc)
			return rc;
		if (smbd_control_print_stats(stdout, reply, json)) {
			fprintf(stderr, "ksmbd.control: malformed statistics "
					"from the server\n");
			free(reply);
			return EXIT_FAILED;
		}
		free(reply);
		if (fflush(stdout))
			return EXIT_FAILED;
	}
	if (stop)
		return simple_request(path, "shutdown");
	return EXIT_OK;
}
