/* rein-background.h: worker threads that give way to the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The nice value of a thread that called rein_background_thread(). */
#define REIN_BACKGROUND_NICE 10

/* Lowers the calling thread's scheduling priority to
 * REIN_BACKGROUND_NICE, once per thread: a refresh's workers then give way
 * to the main thread and the display server when they keep every core
 * busy, so that the window goes on drawing. Linux sets a nice value per
 * thread; elsewhere this does nothing. A thread cannot raise its priority
 * again without privileges, so this is never undone: only for threads
 * that run nothing but background work (never one of GLib's pool). */
void rein_background_thread (void);

/* Runs @func with @task (as g_task_run_in_thread() would) in a thread of
 * a pool of its own, whose threads are lowered (rein_background_thread()),
 * taking a reference to @task until @func returns. For the heavy work of
 * a refresh: lowering a thread of GLib's pool would lower whatever it
 * runs next, a search as you type among others. @func must not wait for
 * other work of this pool. */
void rein_background_run (GTask *task, GTaskThreadFunc func);

/* For a process that reads markets (the app, rein-cli): lets the
 * allocator grow each thread's heap 16 MiB at a time instead of 128 KiB.
 * A refresh's workers allocate hundreds of MB in small pieces, and each
 * growth was a system call (mprotect), costly in a VM: a first refresh of
 * 100,000 jobs took about 7% less CPU time. A thread's heap then keeps up
 * to that much free at its top (64 MiB, the whole of a thread heap, kept
 * every heap from shrinking). glibc only; call it first thing in main(). */
void rein_background_tune_allocator (void);

G_END_DECLS
