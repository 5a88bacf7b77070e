/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compat.h - the only header the core includes.
 *
 * The core is built three ways: into the userspace daemon, into ksmbd.ko,
 * and freestanding (-ffreestanding -nostdinc) as a check that it needs
 * nothing else.  Outside the kernel this file defines every type and helper
 * from compiler built-ins alone; inside it maps them to kernel headers.
 * Locking and logging are supplied by the platform (userspace/platform.c or
 * kernel/platform.c) through the small set of functions declared at the end.
 */
#ifndef SMB_COMPAT_H
#define SMB_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/stddef.h>
#include <linux/kernel.h>
#elif defined(SMB_HOSTED)
/* Userspace code that also uses libc: take the types from libc. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#else
/* Freestanding: the core itself, with no libc headers at all. */
typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT8_TYPE__ s8;
typedef __INT16_TYPE__ s16;
typedef __INT32_TYPE__ s32;
typedef __INT64_TYPE__ s64;
typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ptrdiff_t;
typedef __UINTPTR_TYPE__ uintptr_t;
#ifndef __cplusplus
typedef _Bool bool;
#define true 1
#define false 0
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif
#define offsetof(t, m) __builtin_offsetof(t, m)
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
#define strlen(s) __builtin_strlen(s)
#define strcmp(a, b) __builtin_strcmp((a), (b))
#endif

#ifndef __KERNEL__
#define U16_MAX ((u16)0xffff)
#define U32_MAX ((u32)0xffffffffu)
#define U64_MAX ((u64)0xffffffffffffffffull)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#endif /* !__KERNEL__ */

#define SMB_ALIGN8(x) (((x) + 7) & ~(size_t)7)

/* Little-endian wire access; byte-wise so alignment never matters. */
static inline u16 smb_get_le16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static inline u32 smb_get_le32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) |
	       ((u32)p[3] << 24);
}

static inline u64 smb_get_le64(const u8 *p)
{
	return (u64)smb_get_le32(p) | ((u64)smb_get_le32(p + 4) << 32);
}

static inline void smb_put_le16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline void smb_put_le32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

static inline void smb_put_le64(u8 *p, u64 v)
{
	smb_put_le32(p, (u32)v);
	smb_put_le32(p + 4, (u32)(v >> 32));
}

static inline u32 smb_get_be32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) |
	       (u32)p[3];
}

static inline void smb_put_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

/* Overflow-checked arithmetic for lengths taken from the wire. */
#define smb_add_overflow(a, b, r) __builtin_add_overflow((a), (b), (r))
#define smb_mul_overflow(a, b, r) __builtin_mul_overflow((a), (b), (r))

/* Constant-time comparison for MACs and proofs. */
static inline bool smb_memeq_ct(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	u8 d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

/* Wipe secrets in a way the optimiser cannot drop. */
static inline void smb_memzero_explicit(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/*
 * Platform services.  Each platform (userspace, kernel) provides these.
 * A mutex is an opaque, heap-allocated object so the core never needs to
 * know its size.
 */
struct smb_mutex;
struct smb_mutex *smb_mutex_new(void);
void smb_mutex_free(struct smb_mutex *m);
void smb_mutex_lock(struct smb_mutex *m);
void smb_mutex_unlock(struct smb_mutex *m);

/* Atomic reference counts through compiler built-ins (also fine in kernel). */
typedef struct {
	int v;
} smb_refcount_t;
static inline void smb_ref_init(smb_refcount_t *r, int v)
{
	__atomic_store_n(&r->v, v, __ATOMIC_RELAXED);
}
static inline void smb_ref_get(smb_refcount_t *r)
{
	__atomic_add_fetch(&r->v, 1, __ATOMIC_RELAXED);
}
/* Returns true when the last reference was dropped. */
static inline bool smb_ref_put(smb_refcount_t *r)
{
	return __atomic_sub_fetch(&r->v, 1, __ATOMIC_ACQ_REL) == 0;
}

enum smb_log_level {
	SMB_LOG_ERR = 0,
	SMB_LOG_WARN = 1,
	SMB_LOG_INFO = 2,
	SMB_LOG_DEBUG = 3,
};
/* Platform logger; printf-style formats limited to %s %d %u %x %llu %llx %zu. */
void smb_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define smb_err(...) smb_log(SMB_LOG_ERR, __VA_ARGS__)
#define smb_warn(...) smb_log(SMB_LOG_WARN, __VA_ARGS__)
#define smb_info(...) smb_log(SMB_LOG_INFO, __VA_ARGS__)
#define smb_dbg(...) smb_log(SMB_LOG_DEBUG, __VA_ARGS__)

/* Bounded formatting into a buffer; returns the length written (truncates). */
int smb_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* SMB_COMPAT_H */
