// SPDX-License-Identifier: GPL-2.0-or-later
/* adduser_main.c - ksmbd.adduser: add, update or delete ksmbdpwd.db users. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "platform.h"
#include "config.h"
#include "md4.h"
#include "pwddb.h"

enum action { ACT_ADD_OR_UPDATE, ACT_ADD, ACT_UPDATE, ACT_DELETE };

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ksmbd.adduser [-v] [-P PWDDB] [-C CONF] [-a | -u | -d] [-p PWD] USER\n"
		"Configure users of the ksmbdpwd.db user database.\n"
		"With none of -a, -u, -d: add USER, or update it if it exists.\n\n"
		"  -a, --add            add USER (error if it exists)\n"
		"  -u, --update         update USER's password (error if missing)\n"
		"  -d, --delete         delete USER\n"
		"  -p, --password=PWD   use PWD instead of prompting on the terminal\n"
		"  -P, -i, --pwddb=PWDDB  user database (default %s)\n"
		"  -C, -c, --config=CONF  configuration file (accepted, unused)\n"
		"  -v, --verbose        be verbose\n"
		"  -V, --version        print the version and exit\n"
		"  -h, --help           print this help and exit\n"
		"The older form '-a USER' is accepted too.\n",
		SMBD_DEFAULT_PWDDB);
}

/* Read one line from the terminal with echo off; returns 0 or -1. */
static int read_secret(FILE *tty, const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	bool restore = false;
	size_t n;
	char *got;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
	}
	got = fgets(buf, (int)size, tty);
	if (restore)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', stderr);
	if (!got)
		return -1;
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (n == size - 1)
		return -1; /* too long: the rest is still unread */
	return 0;
}

static int prompt_password(char *pwd, size_t size)
{
	char again[SMBD_PASSWORD_MAX + 2];
	FILE *tty = fopen("/dev/tty", "r+e");
	int ret = -1;

	if (!tty) {
		fprintf(stderr, "ksmbd.adduser: no terminal to ask for the "
				"password; use -p\n");
		return -1;
	}
	if (read_secret(tty, "New password: ", pwd, size) ||
	    read_secret(tty, "Retype new password: ", again, sizeof(again)))
		fprintf(stderr,
			"ksmbd.adduser: could not read the password "
			"(at most %d bytes)\n",
			SMBD_PASSWORD_MAX);
	else if (strcmp(pwd, again))
		fprintf(stderr, "ksmbd.adduser: passwords do not match\n");
	else
		ret = 0;
	explicit_bzero(again, sizeof(again));
	fclose(tty);
	return ret;
}

static int set_action(enum action *act, enum action want)
{
	if (*act != ACT_ADD_OR_UPDATE && *act != want) {
		fprintf(stderr, "ksmbd.adduser: -a, -u and -d are exclusive\n");
		return -1;
	}
	*act = want;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "add", no_argument, NULL, 'a' },
		{ "update", no_argument, NULL, 'u' },
		{ "delete", no_argument, NULL, 'd' },
		{ "password", required_argument, NULL, 'p' },
		{ "pwddb", required_argument, NULL, 'P' },
		{ "config", required_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pwddb = SMBD_DEFAULT_PWDDB, *user, *given_pwd = NULL;
	char pwd[SMBD_PASSWORD_MAX + 2], err[512];
	enum action act = ACT_ADD_OR_UPDATE;
	struct smbd_pwddb *db = NULL;
	bool verbose = false;
	int c, ret = 1;
	u8 hash[16];

	while ((c = getopt_long(argc, argv, "audp:P:i:C:c:vVh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'a':
			if (set_action(&act, ACT_ADD))
				return 1;
			break;
		case 'u':
			if (set_action(&act, ACT_UPDATE))
				return 1;
			break;
		case 'd':
			if (set_action(&act, ACT_DELETE))
				return 1;
			break;
		case 'p':
			given_pwd = optarg;
			break;
		case 'P':
		case 'i':
			pwddb = optarg;
			break;
		case 'C':
		case 'c':
			break;
		case 'v':
			verbose = true;
			break;
		case 'V':
			printf("ksmbd.adduser (ksmbd-direct) %s\n",
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
	user = argv[optind];
	if (smbd_pwddb_check_name(user, err, sizeof(err))) {
		fprintf(stderr, "ksmbd.adduser: %s\n", err);
		return 1;
	}
	if (smbd_pwddb_load(pwddb, &db, err, sizeof(err))) {
		fprintf(stderr, "ksmbd.adduser: %s\n", err);
		return 1;
	}
	if (act == ACT_ADD_OR_UPDATE) {
		struct smb_user found;

		act = smbd_pwddb_lookup(db, user, &found) ? ACT_ADD :
							    ACT_UPDATE;
		explicit_bzero(&found, sizeof(found));
	}
	if (act != ACT_DELETE) {
		if (given_pwd) {
			if (strlen(given_pwd) > SMBD_PASSWORD_MAX) {
				fprintf(stderr,
					"ksmbd.adduser: password longer "
					"than %d bytes\n",
					SMBD_PASSWORD_MAX);
				goto out;
			}
			snprintf(pwd, sizeof(pwd), "%s", given_pwd);
		} else if (prompt_password(pwd, sizeof(pwd))) {
			goto out;
		}
		if (smb_nt_hash(pwd, hash)) {
			fprintf(stderr, "ksmbd.adduser: password is not valid "
					"UTF-8\n");
			goto out;
		}
	}
	if ((act == ACT_ADD &&
	     smbd_pwddb_add(db, user, hash, err, sizeof(err))) ||
	    (act == ACT_UPDATE &&
	     smbd_pwddb_update(db, user, hash, err, sizeof(err))) ||
	    (act == ACT_DELETE &&
	     smbd_pwddb_delete(db, user, err, sizeof(err))) ||
	    smbd_pwddb_save(db, pwddb, err, sizeof(err))) {
		fprintf(stderr, "ksmbd.adduser: %s\n", err);
		goto out;
	}
	if (verbose)
		printf("%s user '%s' in %s\n",
		       act == ACT_ADD	 ? "added" :
		       act == ACT_UPDATE ? "updated" :
					   "deleted",
		       user, pwddb);
	ret = 0;
out:
	explicit_bzero(pwd, sizeof(pwd));
	explicit_bzero(hash, sizeof(hash));
	smbd_pwddb_free(db);
	return ret;
}
