/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list.h - intrusive doubly linked lists (the kernel's idea, our code). */
#ifndef SMB_LIST_H
#define SMB_LIST_H

#include "compat.h"

struct smb_list {
	struct smb_list *next, *prev;
};

#define SMB_LIST_INIT(name) { &(name), &(name) }

static inline void smb_list_init(struct smb_list *l)
{
	l->next = l;
	l->prev = l;
}

static inline bool smb_list_empty(const struct smb_list *l)
{
	return l->next == l;
}

static inline void smb_list_add_tail(struct smb_list *n, struct smb_list *head)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static inline void smb_list_del(struct smb_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

#define smb_container_of(ptr, type, member) \
	((type *)((char *)(ptr)-offsetof(type, member)))

#define smb_list_for_each_safe(pos, tmp, head) \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif
