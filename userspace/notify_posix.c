// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * notify_posix.c - directory watches on inotify(7) for CHANGE_NOTIFY.
 *
 * One inotify instance and one thread serve every watch of the process.
 * inotify merges the watches of one instance on the same directory into
 * one watch descriptor, so each descriptor (struct dir_entry) keeps the
 * list of watch subscriptions on it (struct sub), one per watched
 * directory of a watch; the descriptor is removed with its last
 * subscription.  Every descriptor asks for the same events, so a second
 * inotify_add_watch() on a directory never narrows the first.
 *
 * The thread turns each event into (action, changes, name relative to the
 * watched directory) and calls the watch's callback without the lock
 * held; a watch counts the calls in progress (busy) and watch_remove
 * waits until there are none.
 *
 * WATCH_TREE: every directory below is watched too, bounded per watch;
 * directories made or moved in later are added when their event comes
 * (changes inside them before that are not seen), those removed or moved
 * out lose their subscriptions.
 */
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "list.h"
#include "notify_posix.h"
#include "smb2.h"

#define WATCH_MASK                                                       \
	(IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_MOVED_FROM | \
	 IN_MOVED_TO | IN_ONLYDIR | IN_EXCL_UNLINK)
#define DIR_BUCKETS 256
#define EVENT_BUF 65536
#define BATCH_MAX_CHANGES 4096
#define ATTRIB_CHANGES                                                   \
	(FILE_NOTIFY_CHANGE_ATTRIBUTES | FILE_NOTIFY_CHANGE_LAST_WRITE | \
	 FILE_NOTIFY_CHANGE_LAST_ACCESS | FILE_NOTIFY_CHANGE_CREATION |  \
	 FILE_NOTIFY_CHANGE_EA | FILE_NOTIFY_CHANGE_SECURITY)

/* One inotify watch descriptor. */
struct dir_entry {
	struct smb_list link; /* in its hash bucket */
	int wd;
	struct smb_list subs; /* struct sub.dir_link */
};

/* One directory watched for one watch. */
struct sub {
	struct smb_list dir_link; /* in dir_entry.subs */
	struct smb_list watch_link; /* in smb_vfs_watch.subs */
	struct dir_entry *dir;
	struct smb_vfs_watch *w;
	unsigned int depth;
	char prefix[]; /* "" for the watched directory, else "a/b" */
};

struct smb_vfs_watch {
	struct smb_list link; /* in watcher.watches */
	smb_vfs_watch_fn cb;
	void *arg;
	bool tree;
	bool removed;
	int root_fd;
	struct smb_list subs;
	unsigned int nsubs;
	unsigned int busy; /* callbacks running or batched */
	u64 batch_seen; /* watcher thread only */
};

static struct {
	pthread_once_t once;
	pthread_mutex_t lock;
	pthread_cond_t idle; /* a watch's busy count dropped */
	int fd; /* -1: inotify is not available */
	struct smb_list buckets[DIR_BUCKETS];
	struct smb_list watches;
} watcher = {
	.once = PTHREAD_ONCE_INIT,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
	.fd = -1,
};

static struct smb_list *bucket(int wd)
{
	return &watcher.buckets[(unsigned int)wd % DIR_BUCKETS];
}

static struct dir_entry *find_dir(int wd)
{
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, bucket(wd))
	{
		struct dir_entry *d =
			smb_container_of(pos, struct dir_entry, link);

		if (d->wd == wd)
			return d;
	}
	return NULL;
}

/* Drop a subscription; its descriptor goes with the last one. */
static void sub_free(struct sub *s, bool rm_watch)
{
	struct dir_entry *d = s->dir;

	smb_list_del(&s->dir_link);
	smb_list_del(&s->watch_link);
	s->w->nsubs--;
	free(s);
	if (smb_list_empty(&d->subs)) {
		if (rm_watch)
			inotify_rm_watch(watcher.fd, d->wd);
		smb_list_del(&d->link);
		free(d);
	}
}

/* The directory fd is open on: watch it for w as prefix (lock held). */
static struct sub *sub_add(struct smb_vfs_watch *w, int fd, const char *prefix,
			   unsigned int depth)
{
	char proc[64];
	struct dir_entry *d;
	struct sub *s;
	size_t plen = strlen(prefix);
	int wd;

	if (w->nsubs >= SMB_POSIX_WATCH_MAX_DIRS)
		return NULL;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	wd = inotify_add_watch(watcher.fd, proc, WATCH_MASK);
	if (wd < 0)
		return NULL;
	s = malloc(sizeof(*s) + plen + 1);
	if (!s)
		return NULL;
	d = find_dir(wd);
	if (!d) {
		d = malloc(sizeof(*d));
		if (!d) {
			free(s);
			inotify_rm_watch(watcher.fd, wd);
			return NULL;
		}
		d->wd = wd;
		smb_list_init(&d->subs);
		smb_list_add_tail(&d->link, bucket(wd));
	}
	memcpy(s->prefix, prefix, plen + 1);
	s->dir = d;
	s->w = w;
	s->depth = depth;
	smb_list_add_tail(&s->dir_link, &d->subs);
	smb_list_add_tail(&s->watch_link, &w->subs);
	w->nsubs++;
	return s;
}

static void join(char *out, size_t size, const char *prefix, const char *name)
{
	if (*prefix)
		snprintf(out, size, "%s/%s", prefix, name);
	else
		snprintf(out, size, "%s", name);
}

/* Watch fd's directory as prefix and, for a tree, those below (lock held). */
static void add_tree(struct smb_vfs_watch *w, int fd, const char *prefix,
		     unsigned int depth)
{
	struct dirent *e;
	DIR *dir;
	int dfd;

	if (!sub_add(w, fd, prefix, depth) || !w->tree ||
	    depth >= SMB_POSIX_WATCH_MAX_DEPTH)
		return;
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		char path[PATH_MAX];
		int cfd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
			continue;
		cfd = openat(dfd, e->d_name,
			     O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue;
		join(path, sizeof(path), prefix, e->d_name);
		if (strlen(path) < sizeof(path) - 1)
			add_tree(w, cfd, path, depth + 1);
		close(cfd);
	}
	closedir(dir);
}

/* Open the directory prefix/name below w's root, no symlinks followed. */
static int open_below(const struct smb_vfs_watch *w, const char *path)
{
	char copy[PATH_MAX], *save = NULL, *c;
	int fd = dup(w->root_fd);

	if (fd < 0 || strlen(path) >= sizeof(copy))
		goto fail;
	strcpy(copy, path);
	for (c = strtok_r(copy, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		int next = openat(
			fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		close(fd);
		fd = next;
		if (fd < 0)
			return -1;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Forget the subscriptions of w at path and below (lock held). */
static void drop_tree(struct smb_vfs_watch *w, const char *path)
{
	size_t len = strlen(path);
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, &w->subs)
	{
		struct sub *s = smb_container_of(pos, struct sub, watch_link);

		if (!strncmp(s->prefix, path, len) &&
		    (s->prefix[len] == '\0' || s->prefix[len] == '/'))
			sub_free(s, true);
	}
}

/* A callback to make once the lock is released. */
struct delivery {
	struct smb_vfs_watch *w;
	u32 action, changes;
	char *name; /* NULL: "" */
};

/* The deliveries of one batch. */
struct batch {
	struct delivery *dv;
	int n, cap;
};

/* Room for one more delivery to w (lock held); NULL when out of memory. */
static struct delivery *batch_add(struct batch *b, struct smb_vfs_watch *w,
				  u32 action, u32 changes)
{
	struct delivery *d;

	if (b->n == b->cap) {
		int cap = b->cap ? b->cap * 2 : 64;
		struct delivery *more =
			realloc(b->dv, sizeof(*more) * (size_t)cap);

		if (!more)
			return NULL;
		b->dv = more;
		b->cap = cap;
	}
	d = &b->dv[b->n++];
	d->w = w;
	d->action = action;
	d->changes = changes;
	d->name = NULL;
	w->busy++;
	return d;
}

/*
 * Make the calls of a batch: each watch's last one without
 * SMB_VFS_CHANGE_MORE, so the core answers once, with all of it.
 */
static void deliver(struct batch *b)
{
	static u64 batch_id;
	int i;

	batch_id++;
	for (i = b->n - 1; i >= 0; i--) {
		struct delivery *d = &b->dv[i];

		if (d->w->batch_seen == batch_id)
			d->changes |= SMB_VFS_CHANGE_MORE;
		d->w->batch_seen = batch_id;
	}
	for (i = 0; i < b->n; i++) {
		struct delivery *d = &b->dv[i];

		d->w->cb(d->w->arg, d->action, d->changes,
			 d->name ? d->name : "");
		free(d->name);
	}
	pthread_mutex_lock(&watcher.lock);
	for (i = 0; i < b->n; i++)
		b->dv[i].w->busy--;
	pthread_cond_broadcast(&watcher.idle);
	pthread_mutex_unlock(&watcher.lock);
	b->n = 0;
}

/* The queue overflowed: every watch has lost changes (lock held). */
static void all_lost(struct batch *b)
{
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, &watcher.watches)
	{
		struct smb_vfs_watch *w =
			smb_container_of(pos, struct smb_vfs_watch, link);

		if (!w->removed)
			batch_add(b, w, 0, 0);
	}
}

/* Action and change bits of an event; 0 when it is not reported. */
static u32 event_action(const struct inotify_event *e, bool renamed,
			u32 *changes)
{
	u32 name_change = (e->mask & IN_ISDIR) ? FILE_NOTIFY_CHANGE_DIR_NAME :
						 FILE_NOTIFY_CHANGE_FILE_NAME;

	*changes = name_change;
	if (e->mask & IN_CREATE)
		return FILE_ACTION_ADDED;
	if (e->mask & IN_DELETE)
		return FILE_ACTION_REMOVED;
	if (e->mask & IN_MOVED_FROM)
		return renamed ? FILE_ACTION_RENAMED_OLD_NAME :
				 FILE_ACTION_REMOVED;
	if (e->mask & IN_MOVED_TO)
		return renamed ? FILE_ACTION_RENAMED_NEW_NAME :
				 FILE_ACTION_ADDED;
	if (e->mask & IN_MODIFY) {
		*changes = FILE_NOTIFY_CHANGE_SIZE |
			   FILE_NOTIFY_CHANGE_LAST_WRITE;
		return FILE_ACTION_MODIFIED;
	}
	if (e->mask & IN_ATTRIB) {
		*changes = ATTRIB_CHANGES;
		return FILE_ACTION_MODIFIED;
	}
	return 0;
}

/* Keep the tree watches of the subscription s in step (lock held). */
static void follow_dir(struct sub *s, const struct inotify_event *e,
		       const char *path)
{
	struct smb_vfs_watch *w = s->w;

	if (!w->tree || !(e->mask & IN_ISDIR))
		return;
	if (e->mask & (IN_DELETE | IN_MOVED_FROM)) {
		drop_tree(w, path);
	} else if ((e->mask & (IN_CREATE | IN_MOVED_TO)) &&
		   s->depth + 1 < SMB_POSIX_WATCH_MAX_DEPTH) {
		int fd = open_below(w, path);

		if (fd >= 0) {
			add_tree(w, fd, path, s->depth + 1);
			close(fd);
		}
	}
}

/*
 * Add the deliveries of one event to b (lock held).  The subs list may
 * change under follow_dir (a directory dropped or added), so each sub is
 * handled after its delivery is recorded.
 */
static void event_deliveries(const struct inotify_event *e, bool renamed,
			     struct batch *b)
{
	struct dir_entry *d;
	struct smb_list *pos, *tmp;
	u32 action, changes;

	if (e->mask & IN_Q_OVERFLOW) {
		all_lost(b);
		return;
	}
	d = find_dir(e->wd);
	if (!d)
		return;
	if (e->mask & IN_IGNORED) {
		/*
		 * The kernel dropped it (the directory is gone).  Freeing the
		 * last sub frees d, list head included: stop there.
		 */
		while (!smb_list_empty(&d->subs)) {
			bool last = d->subs.next->next == &d->subs;

			sub_free(smb_container_of(d->subs.next, struct sub,
						  dir_link),
				 false);
			if (last)
				break;
		}
		return;
	}
	/* Changes of the directory itself come from its parent's watch. */
	if (e->len == 0 || e->name[0] == '\0')
		return;
	action = event_action(e, renamed, &changes);
	if (!action)
		return;
	smb_list_for_each_safe(pos, tmp, &d->subs)
	{
		struct sub *s = smb_container_of(pos, struct sub, dir_link);
		struct delivery *dv;
		char path[PATH_MAX];

		if (s->w->removed)
			continue;
		join(path, sizeof(path), s->prefix, e->name);
		dv = batch_add(b, s->w, action, changes);
		if (!dv)
			break;
		dv->name = strdup(path);
		if (!dv->name)
			dv->action = 0; /* lost */
		follow_dir(s, e, path);
		/* follow_dir may have freed the entry with its last sub. */
		if (!find_dir(e->wd))
			break;
	}
}

/* Is the event at next the IN_MOVED_TO half of a rename from e? */
static bool rename_pair(const struct inotify_event *e, const char *next,
			const char *end)
{
	const struct inotify_event *m = (const void *)next;

	return (e->mask & IN_MOVED_FROM) &&
	       (size_t)(end - next) >= sizeof(*m) &&
	       (size_t)(end - next) >= sizeof(*m) + m->len &&
	       (m->mask & IN_MOVED_TO) && m->cookie == e->cookie &&
	       m->wd == e->wd;
}

/* Read what is queued and add it to b; false when the fd failed. */
static bool read_events(struct batch *b, bool *in_rename, u32 *rename_cookie)
{
	static char buf[EVENT_BUF] __attribute__((aligned(8)));
	ssize_t got;
	char *p = buf, *end;

	do
		got = read(watcher.fd, buf, sizeof(buf));
	while (got < 0 && errno == EINTR);
	if (got <= 0)
		return false;
	end = buf + got;
	pthread_mutex_lock(&watcher.lock);
	while ((size_t)(end - p) >= sizeof(struct inotify_event)) {
		const struct inotify_event *e = (const void *)p;
		char *next = p + sizeof(*e) + e->len;
		bool renamed;

		if (next > end)
			break;
		/* Within one directory a move is a rename. */
		renamed = rename_pair(e, next, end) ||
			  (*in_rename && (e->mask & IN_MOVED_TO) &&
			   e->cookie == *rename_cookie);
		*in_rename = rename_pair(e, next, end);
		*rename_cookie = e->cookie;
		event_deliveries(e, renamed, b);
		p = next;
	}
	pthread_mutex_unlock(&watcher.lock);
	return true;
}

/*
 * What the kernel has queued at once makes one batch (the two halves of a
 * rename always do): read until nothing more is waiting, then deliver.
 */
static void *watcher_main(void *unused)
{
	struct batch b = { 0 };
	u32 rename_cookie = 0;
	bool in_rename = false;

	(void)unused;
	for (;;) {
		struct pollfd pfd = { .fd = watcher.fd, .events = POLLIN };

		if (!read_events(&b, &in_rename, &rename_cookie))
			break;
		while (b.n < BATCH_MAX_CHANGES && poll(&pfd, 1, 0) > 0)
			if (!read_events(&b, &in_rename, &rename_cookie))
				break;
		deliver(&b);
	}
	deliver(&b);
	free(b.dv);
	return NULL;
}

static void watcher_start(void)
{
	pthread_t t;
	int i;

	for (i = 0; i < DIR_BUCKETS; i++)
		smb_list_init(&watcher.buckets[i]);
	smb_list_init(&watcher.watches);
	watcher.fd = inotify_init1(IN_CLOEXEC);
	if (watcher.fd < 0)
		return;
	if (pthread_create(&t, NULL, watcher_main, NULL)) {
		close(watcher.fd);
		watcher.fd = -1;
		return;
	}
	pthread_detach(t);
}

u32 smb_posix_watch_add(int dirfd, bool tree, smb_vfs_watch_fn cb, void *arg,
			struct smb_vfs_watch **out)
{
	struct smb_vfs_watch *w;
	bool ok;

	*out = NULL;
	pthread_once(&watcher.once, watcher_start);
	if (watcher.fd < 0)
		return STATUS_NOT_SUPPORTED;
	w = calloc(1, sizeof(*w));
	if (!w)
		return STATUS_NO_MEMORY;
	w->cb = cb;
	w->arg = arg;
	w->tree = tree;
	smb_list_init(&w->subs);
	w->root_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (w->root_fd < 0) {
		free(w);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	pthread_mutex_lock(&watcher.lock);
	add_tree(w, w->root_fd, "", 0);
	ok = w->nsubs > 0;
	if (ok)
		smb_list_add_tail(&w->link, &watcher.watches);
	pthread_mutex_unlock(&watcher.lock);
	if (!ok) {
		/* Out of inotify watches (fs.inotify.max_user_watches). */
		close(w->root_fd);
		free(w);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	*out = w;
	return STATUS_SUCCESS;
}

void smb_posix_watch_remove(struct smb_vfs_watch *w)
{
	struct smb_list *pos, *tmp;

	if (!w)
		return;
	pthread_mutex_lock(&watcher.lock);
	w->removed = true;
	smb_list_for_each_safe(pos, tmp, &w->subs)
		sub_free(smb_container_of(pos, struct sub, watch_link), true);
	while (w->busy)
		pthread_cond_wait(&watcher.idle, &watcher.lock);
	smb_list_del(&w->link);
	pthread_mutex_unlock(&watcher.lock);
	close(w->root_fd);
	free(w);
}
